package io.distillery.operator.faults;

import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.StudentPhase;

/**
 * When a phase change is backwards, for a run whose specs never change after creation.
 * DistillationJob: Pending, Queued and Suspended (waiting) come before Running, then Evaluating,
 * then the finished Succeeded and Failed; a finished phase never changes. A retry stays in Running
 * (attempt n+1), so Running to Running is forward. StudentDeployment: Pending, then Progressing
 * (and Degraded, an unhealthy rollout), then Available or RolledBack; without a spec change nothing
 * leaves Available.
 */
final class PhaseOrder {
  private PhaseOrder() {}

  static boolean backwards(String kind, String from, String to) {
    if (from == null || from.equals(to)) {
      return false;
    }
    if (to == null) {
      return true;
    }
    if ("DistillationJob".equals(kind)) {
      Phase a = Phase.valueOf(from);
      Phase b = Phase.valueOf(to);
      return a.finished() || rank(b) < rank(a);
    }
    return rank(StudentPhase.valueOf(to)) < rank(StudentPhase.valueOf(from));
  }

  static int rank(Phase p) {
    return switch (p) {
      case Pending, Queued, Suspended -> 0;
      case Running -> 1;
      case Evaluating -> 2;
      case Succeeded, Failed -> 3;
    };
  }

  static int rank(StudentPhase p) {
    return switch (p) {
      case Pending -> 0;
      case Progressing, Degraded -> 1;
      case Available, RolledBack -> 2;
    };
  }
}
