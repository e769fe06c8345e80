package io.distillery.mdt.probe;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Sends a probe's requests: each pod gets its requests one after another (so a probe never holds
 * more than one of a serving pod's queue slots, whatever {@code --probes}), the pods in parallel.
 * The first failure, or the deadline passing, ends the probe.
 */
final class ProbeTraffic {
  /** One request to one pod of one side. */
  record Job(String side, URI url, ProbeRequest request) {}

  private ProbeTraffic() {}

  /** The answers, in the order of {@code jobs}. */
  static List<ProbeAnswer> send(ProbeClient client, List<Job> jobs) throws ProbeFailure {
    Map<String, List<Integer>> byPod = new LinkedHashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      Job j = jobs.get(i);
      byPod.computeIfAbsent(j.side() + " " + j.url(), k -> new ArrayList<>()).add(i);
    }
    ProbeAnswer[] answers = new ProbeAnswer[jobs.size()];
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, byPod.size()),
            r -> {
              Thread t = new Thread(r, "mdt-probe");
              t.setDaemon(true);
              return t;
            });
    try {
      CompletionService<Void> done = new ExecutorCompletionService<>(pool);
      for (List<Integer> pod : byPod.values()) {
        done.submit(
            () -> {
              for (int i : pod) {
                Job j = jobs.get(i);
                answers[i] = client.generate(j.side(), j.url(), j.request());
              }
              return null;
            });
      }
      for (int finished = 0; finished < byPod.size(); finished++) {
        long left = client.deadlineNanos() - System.nanoTime();
        Future<Void> f = done.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (f == null) {
          Job waiting = firstUnanswered(jobs, answers);
          throw new ProbeFailure(client.timedOut(waiting.side(), waiting.url()));
        }
        f.get();
      }
      return List.of(answers);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ProbeFailure p) {
        throw p;
      }
      throw new IllegalStateException("probe request failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProbeFailure("interrupted");
    } finally {
      pool.shutdownNow();
    }
  }

  private static Job firstUnanswered(List<Job> jobs, ProbeAnswer[] answers) {
    for (int i = 0; i < answers.length; i++) {
      if (answers[i] == null) {
        return jobs.get(i);
      }
    }
    return jobs.get(jobs.size() - 1);
  }
}
