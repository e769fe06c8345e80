package io.distillery.operator.testing;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.api.v1alpha1.OutputSpec;
import io.distillery.operator.api.v1alpha1.TeacherSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Typed DistillationJobs for unit tests (no cluster). */
public final class Fixtures {
  private Fixtures() {}

  /** A valid job on the built-in teacher writing to claim {@code artifacts}. */
  public static DistillationJob distillationJob(String name) {
    DistillationJob dj = new DistillationJob();
    dj.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ml")
            .withUid("uid-" + name)
            .withGeneration(1L)
            .build());
    DistillationJobSpec spec = new DistillationJobSpec();
    spec.teacher = new TeacherSpec();
    spec.teacher.uri = "builtin:shipped";
    spec.output = new OutputSpec();
    spec.output.claimName = "artifacts";
    dj.setSpec(spec);
    return dj;
  }
}
