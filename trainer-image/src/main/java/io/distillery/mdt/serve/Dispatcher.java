package io.distillery.mdt.serve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends each generate request to the least-loaded replica (fewest requests accepted and not yet
 * answered); ties go round robin, so idle replicas share the work. A full queue passes the request
 * on to the next least-loaded one: 429 only when every queue is full.
 */
final class Dispatcher {
  /** Where a request went and what it will get: the server reports the answer to its replica. */
  record Dispatched(Replica replica, CompletableFuture<BatchScheduler.Output> output) {}

  private final List<Replica> replicas;
  private final AtomicInteger turn = new AtomicInteger();

  Dispatcher(List<Replica> replicas) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("no replica to dispatch to");
    }
    this.replicas = List.copyOf(replicas);
  }

  List<Replica> replicas() {
    return replicas;
  }

  Dispatched submit(GenerationRequest request)
      throws BatchScheduler.QueueFullException, BatchScheduler.StoppedException {
    int n = replicas.size();
    int start = Math.floorMod(turn.getAndIncrement(), n);
    List<Replica> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(replicas.get((start + i) % n));
    }
    // Stable sort: equal loads keep the rotated order.
    order.sort(Comparator.comparingInt(r -> r.scheduler().outstanding()));
    boolean full = false;
    for (Replica r : order) {
      try {
        return new Dispatched(r, r.scheduler().submit(request));
      } catch (BatchScheduler.QueueFullException e) {
        full = true;
      } catch (BatchScheduler.StoppedException e) {
        // Stopping replicas stop together; try the rest all the same.
      }
    }
    if (full) {
      throw new BatchScheduler.QueueFullException();
    }
    throw new BatchScheduler.StoppedException();
  }

  /** Stops every queue; queued requests still run. */
  void stopAccepting() {
    replicas.forEach(r -> r.scheduler().stopAccepting());
  }

  /** Drains every queue within one shared deadline; true if all finished in time. */
  boolean drain(long timeoutMs) throws InterruptedException {
    stopAccepting();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    boolean all = true;
    for (Replica r : replicas) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      all &= r.scheduler().drain(left);
    }
    return all;
  }
}
