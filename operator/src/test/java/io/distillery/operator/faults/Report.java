package io.distillery.operator.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the fault run counted, checked by the test and written as markdown. */
final class Report {
  int kills;
  int controlPlaneRestarts;
  final List<String> selfExits = new ArrayList<>();
  double settleSeconds;
  double sigtermExitSeconds;
  double takeoverSeconds;
  double wallSeconds;
  int versions;
  int objects;
  final List<String> duplicates = new ArrayList<>();
  final List<String> lost = new ArrayList<>();
  final List<String> backwards = new ArrayList<>();

  void fill(History history) {
    synchronized (history) {
      for (Map.Entry<String, Set<String>> e : history.uids.entrySet()) {
        if (e.getValue().size() > 1) {
          duplicates.add(e.getKey() + " had " + e.getValue().size() + " UIDs");
        }
      }
      for (var e : history.versions.entrySet()) {
        String kind = e.getKey().substring(0, e.getKey().indexOf('/'));
        objects++;
        History.Version previous = null;
        for (History.Version v : e.getValue()) {
          versions++;
          if (previous != null) {
            if ((previous.hasStatus() && !v.hasStatus())
                || (previous.hasResult() && !v.hasResult())) {
              lost.add(e.getKey() + " at resourceVersion " + v.resourceVersion());
            }
            if (PhaseOrder.backwards(kind, previous.phase(), v.phase())) {
              backwards.add(
                  e.getKey()
                      + " "
                      + previous.phase()
                      + " -> "
                      + v.phase()
                      + " at resourceVersion "
                      + v.resourceVersion());
            }
          }
          previous = v;
        }
      }
    }
  }

  void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        # Operator fault injection (OperatorFaultInjectionIT)

        Run: %s, %d DistillationJobs and %d StudentDeployments, packaged operator with leader election.

        | what | count |
        |---|---|
        | SIGKILLs of the operator | %d |
        | etcd + kube-apiserver kill and restart | %d |
        | operator exits on its own (lost Lease) | %d %s |
        | objects watched / versions seen | %d / %d |
        | duplicate Jobs or Deployments | %d |
        | lost status | %d |
        | phases that went backwards | %d |
        | settle time after the last kill | %.1f s |
        | SIGTERM to exit | %.1f s |
        | SIGTERM to the standby holding the Lease | %.1f s |
        | wall time | %.0f s |

        %s
        """
            .formatted(
                Instant.now(),
                OperatorFaultInjectionIT.JOBS,
                OperatorFaultInjectionIT.STUDENTS,
                kills,
                controlPlaneRestarts,
                selfExits.size(),
                selfExits.isEmpty() ? "" : selfExits.toString(),
                objects,
                versions,
                duplicates.size(),
                lost.size(),
                backwards.size(),
                settleSeconds,
                sigtermExitSeconds,
                takeoverSeconds,
                wallSeconds,
                String.join("\n", concat(duplicates, lost, backwards))));
  }

  private static List<String> concat(List<String> a, List<String> b, List<String> c) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all.stream().map(s -> "- " + s).toList();
  }
}
