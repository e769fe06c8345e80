package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.ServedStageStatus;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import java.util.Objects;

/**
 * Which model each Deployment should serve, from the spec, the resolved source and the status (the
 * rollout's memory). Pure, so the dependents and the reconciler agree on it:
 *
 * <ul>
 *   <li>nothing served yet: the resolved model goes straight to the stable Deployment;
 *   <li>Rolling: the stable Deployment takes the resolved model (its rolling update moves pods);
 *   <li>Canary: the stable Deployment keeps the current model and a canary serves the new one,
 *       unless that digest was already rolled back (it stays out until the source changes);
 *   <li>source not ready: the current model keeps serving, no canary.
 * </ul>
 *
 * <p>A two-stage pair is one version under its pair digest ({@link ServedModel#pair}): a change of
 * either stage is a new digest, so it canaries, promotes and rolls back as a whole; the current
 * pair is rebuilt from status.stages.
 */
public record RolloutPlan(ServedModel stable, ServedModel canary) {

  public static RolloutPlan of(StudentDeployment sd, SourceResolution source) {
    ServedModel current = current(sd.getStatus());
    if (!source.ready()) {
      return new RolloutPlan(current, null);
    }
    ServedModel wanted = source.model();
    boolean canaryStrategy =
        sd.getSpec().rolloutOrDefault().strategyOrDefault() == RolloutStrategy.Canary;
    if (current == null
        || !canaryStrategy
        || Objects.equals(current.digest(), wanted.digest())
        || rolledBack(sd.getStatus(), wanted)) {
      return new RolloutPlan(
          canaryStrategy && current != null ? pick(current, wanted) : wanted, null);
    }
    return new RolloutPlan(current, wanted);
  }

  /** Same digest: serve the wanted model (its URI may have moved); a rolled-back one: current. */
  private static ServedModel pick(ServedModel current, ServedModel wanted) {
    return Objects.equals(current.digest(), wanted.digest()) ? wanted : current;
  }

  static ServedModel current(StudentDeploymentStatus status) {
    if (status == null || status.currentDigest == null || status.currentModel == null) {
      return null;
    }
    ServedModel pair = currentPair(status);
    if (pair != null) {
      return pair;
    }
    return new ServedModel(
        status.currentModel, status.currentDigest, status.currentSource, status.speedup);
  }

  /** The served pair from status.stages (both stages, so the stable pods keep both mounts). */
  private static ServedModel currentPair(StudentDeploymentStatus status) {
    if (status.stages == null || status.stages.size() != 2) {
      return null;
    }
    ServedStageStatus s = status.stages.get(0);
    ServedStageStatus a = status.stages.get(1);
    ServedModel pair =
        ServedModel.pair(
            new ServedModel.Stage(s.model, s.digest, s.source),
            new ServedModel.Stage(a.model, a.digest, a.source),
            status.speedup);
    // Stages that no longer add up to the recorded digest are not trusted as the served pair.
    return pair.digest().equals(status.currentDigest) ? pair : null;
  }

  static boolean rolledBack(StudentDeploymentStatus status, ServedModel wanted) {
    return status != null
        && status.canary != null
        && StudentConditions.CANARY_ROLLED_BACK.equals(status.canary.state)
        && Objects.equals(status.canary.digest, wanted.digest());
  }
}
