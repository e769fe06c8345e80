package io.distillery.operator.testing;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.api.v1alpha1.ModelSourceSpec;
import io.distillery.operator.api.v1alpha1.OutputSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentSpec;
import io.distillery.operator.api.v1alpha1.TeacherSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Typed DistillationJobs and StudentDeployments for unit tests (no cluster). */
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

  /** A StudentDeployment serving an explicit model URI (3 replicas, Rolling). */
  public static StudentDeployment studentDeployment(String name, String digest) {
    StudentDeployment sd = new StudentDeployment();
    sd.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("ml")
            .withUid("uid-" + name)
            .withGeneration(1L)
            .build());
    StudentDeploymentSpec spec = new StudentDeploymentSpec();
    spec.source = new ModelSourceSpec();
    spec.source.modelUri = "pvc://artifacts/shapes/student";
    spec.source.digest = digest;
    spec.replicas = 3;
    sd.setSpec(spec);
    return sd;
  }

  /** A digest made of one repeated hex character. */
  public static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }
}
