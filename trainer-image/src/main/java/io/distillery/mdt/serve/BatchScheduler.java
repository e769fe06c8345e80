package io.distillery.mdt.serve;

import io.distillery.mdt.model.Pipelines;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching: requests wait in a bounded queue; one worker thread takes the oldest request
 * and runs the model once on every queued request with the same step count, up to {@code maxBatch}
 * samples. While the model runs, new requests queue up, so batches grow with load.
 *
 * <p>The batching window: the worker holds the oldest request back until the window after its
 * arrival has passed only while an accepted request is still outside the queue (running, or being
 * encoded and answered): its client is likely to send its next request soon, which can share the
 * batch. When every accepted request is queued, nothing else is coming soon, so the batch runs at
 * once: a lone request on an idle server never waits for the window. The server reports each
 * answered request with {@link #answered()}.
 *
 * <p>A full queue rejects at once (the caller answers 429); after {@link #stopAccepting()} new
 * requests are refused while queued ones still run, and the worker ends when the queue is empty.
 */
final class BatchScheduler {
  /** What one request got back from the model. */
  record Output(
      float[][] samples,
      int batchSize,
      long queueNanos,
      long generationNanos,
      long windowWaitNanos) {}

  private record Job(
      GenerationRequest request, long enqueuedNanos, CompletableFuture<Output> out) {}

  /** The queue is full. */
  static final class QueueFullException extends Exception {
    QueueFullException() {
      super("the request queue is full", null, false, false);
    }
  }

  /** The scheduler no longer accepts requests. */
  static final class StoppedException extends Exception {
    StoppedException() {
      super("the server is shutting down", null, false, false);
    }
  }

  private final String device;
  private final ServingModel model;
  private final ServingMetrics metrics;
  private final int maxBatch;
  private final long windowNanos;
  private final int capacity;
  private final Deque<Job> queue = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread worker;
  private boolean accepting = true;

  /** Accepted by {@link #submit} and not yet {@link #answered()}: queued, running or answering. */
  private int outstanding;

  private volatile boolean holdingWindow;

  /**
   * A queue and worker for {@code model}; {@code device} labels its metrics ({@link
   * ServingMetrics#queued}, {@link ServingMetrics#batch}).
   */
  BatchScheduler(String device, ServingModel model, ServingMetrics metrics, ServeOptions options) {
    this.device = device;
    this.model = model;
    this.metrics = metrics;
    this.maxBatch = options.maxBatch();
    this.windowNanos = TimeUnit.MILLISECONDS.toNanos(options.batchWindowMs());
    this.capacity = options.queue();
    this.worker = new Thread(this::work, "mdt-serve-batcher-" + device);
    worker.setDaemon(true);
    worker.start();
  }

  /** Queues {@code request}; the future completes on the worker thread. */
  CompletableFuture<Output> submit(GenerationRequest request)
      throws QueueFullException, StoppedException {
    lock.lock();
    try {
      if (!accepting) {
        throw new StoppedException();
      }
      if (queue.size() >= capacity) {
        throw new QueueFullException();
      }
      Job job = new Job(request, System.nanoTime(), new CompletableFuture<>());
      queue.addLast(job);
      outstanding++;
      metrics.queued(device, queue.size());
      changed.signalAll();
      return job.out();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The answer to a request accepted by {@link #submit} has been sent (or has failed): it no longer
   * holds the batching window open.
   */
  void answered() {
    lock.lock();
    try {
      outstanding = Math.max(0, outstanding - 1);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Accepted and not yet answered: queued, running or answering (the dispatcher's load). */
  int outstanding() {
    lock.lock();
    try {
      return outstanding;
    } finally {
      lock.unlock();
    }
  }

  String device() {
    return device;
  }

  /** Whether the worker is holding the oldest request back for the batching window (tests). */
  boolean holdingWindow() {
    return holdingWindow;
  }

  /** Refuses new requests from now on; queued ones still run. */
  void stopAccepting() {
    lock.lock();
    try {
      accepting = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops accepting and waits until every queued request has run; true if it finished in time. */
  boolean drain(long timeoutMs) throws InterruptedException {
    stopAccepting();
    worker.join(Math.max(1, timeoutMs));
    return !worker.isAlive();
  }

  private void work() {
    while (true) {
      Batch batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        failAll(new IllegalStateException("the batch worker was interrupted"));
        return;
      }
      if (batch == null) {
        return;
      }
      run(batch);
    }
  }

  /** Waits for work and the batching window; null when stopped and empty. */
  private Batch nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (!accepting) {
          return null;
        }
        changed.await();
      }
      Job head = queue.peekFirst();
      long deadline = head.enqueuedNanos() + windowNanos;
      long waitStart = System.nanoTime();
      boolean waited = false;
      while (accepting
          && outstanding > queue.size()
          && samplesWithSteps(head.request().steps()) < maxBatch) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        waited = true;
        holdingWindow = true;
        changed.awaitNanos(left);
      }
      holdingWindow = false;
      long windowWait = waited ? System.nanoTime() - waitStart : 0;
      List<Job> batch = new ArrayList<>();
      int samples = 0;
      for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
        Job j = it.next();
        int count = j.request().count();
        if (j.request().steps() == head.request().steps() && samples + count <= maxBatch) {
          batch.add(j);
          samples += count;
          it.remove();
        }
      }
      metrics.queued(device, queue.size());
      return new Batch(batch, windowWait);
    } finally {
      lock.unlock();
    }
  }

  private int samplesWithSteps(int steps) {
    int n = 0;
    for (Job j : queue) {
      if (j.request().steps() == steps) {
        n += j.request().count();
      }
    }
    return n;
  }

  private record Batch(List<Job> jobs, long windowWaitNanos) {}

  private void run(Batch b) {
    List<Job> batch = b.jobs();
    int total = batch.stream().mapToInt(j -> j.request().count()).sum();
    int[] classes = new int[total];
    long[] seeds = new long[total];
    int k = 0;
    for (Job j : batch) {
      for (int i = 0; i < j.request().count(); i++, k++) {
        classes[k] = j.request().classIndex();
        seeds[k] = j.request().seed(i);
      }
    }
    long start = System.nanoTime();
    float[][] samples;
    try {
      samples = model.generate(batch.get(0).request().steps(), classes, seeds);
    } catch (RuntimeException | Error e) {
      batch.forEach(j -> j.out().completeExceptionally(e));
      return;
    }
    long generation = System.nanoTime() - start;
    int steps = batch.get(0).request().steps();
    metrics.batch(device, total, steps, generation);
    PipelineStages p = model.pipeline();
    if (p != null) {
      double[] split = p.lastStageSeconds();
      metrics.stage(Pipelines.STRUCTURE, steps, split[0]);
      metrics.stage(Pipelines.APPEARANCE, steps, split[1]);
    }
    k = 0;
    for (Job j : batch) {
      float[][] mine = new float[j.request().count()][];
      for (int i = 0; i < mine.length; i++, k++) {
        mine[i] = samples[k];
      }
      j.out()
          .complete(
              new Output(mine, total, start - j.enqueuedNanos(), generation, b.windowWaitNanos()));
    }
  }

  private void failAll(Throwable t) {
    lock.lock();
    try {
      accepting = false;
      queue.forEach(j -> j.out().completeExceptionally(t));
      queue.clear();
    } finally {
      lock.unlock();
    }
  }
}
