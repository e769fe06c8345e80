package io.distillery.operator.deployment;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** Source resolution and rollout plan from what the informers hold (shared by every dependent). */
final class Planning {
  private Planning() {}

  static SourceResolution source(StudentDeployment sd, Context<StudentDeployment> ctx) {
    DistillationJob job =
        sd.getSpec().source.distillationJobRef == null
            ? null
            : ctx.getSecondaryResource(DistillationJob.class).orElse(null);
    return SourceResolution.of(sd, job);
  }

  static RolloutPlan plan(StudentDeployment sd, Context<StudentDeployment> ctx) {
    return RolloutPlan.of(sd, source(sd, ctx));
  }
}
