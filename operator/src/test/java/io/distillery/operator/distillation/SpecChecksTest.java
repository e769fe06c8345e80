package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.HyperparametersSpec;
import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecChecksTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "builtin:shipped",
        "pvc://models/teacher.pt",
        "pvc://models",
        "/opt/models/t",
        "file:///opt/models/t"
      })
  void supportedLocationsPass(String uri) {
    DistillationJob dj = Fixtures.distillationJob("ok");
    dj.getSpec().teacher.uri = uri;
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void unknownSchemeNamesTheFieldAndTheScheme() {
    DistillationJob dj = Fixtures.distillationJob("s3");
    dj.getSpec().teacher.uri = "s3://bucket/t";
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .contains("spec.teacher.uri")
        .contains("'s3'")
        .contains("pvc://<claim>/<path>");
  }

  @Test
  void badClaimNamesAndEscapesAreRefused() {
    DistillationJob dj = Fixtures.distillationJob("bad");
    dj.getSpec().teacher.uri = "pvc://Bad_Name/x";
    assertThat(SpecChecks.problems(dj)).singleElement().asString().contains("valid claim name");
    dj.getSpec().teacher.uri = "pvc://models/../../etc";
    assertThat(SpecChecks.problems(dj)).singleElement().asString().contains("'..'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../etc", "runs/../../etc", "..", "/etc", "runs//x", "runs/./x"})
  void anOutputPathMustStayOnTheClaim(String path) {
    DistillationJob dj = Fixtures.distillationJob("escape");
    dj.getSpec().output.path = path;
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .contains("spec.output.path")
        .contains(path);
  }

  @Test
  void aRelativeOutputPathPasses() {
    DistillationJob dj = Fixtures.distillationJob("nested");
    dj.getSpec().output.path = "runs/a..b/v1";
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void quantitiesMustParseAndBePositive() {
    DistillationJob dj = Fixtures.distillationJob("q");
    dj.getSpec().resources = new ResourcesSpec();
    dj.getSpec().resources.memory = new Quantity("lots");
    dj.getSpec().resources.cpu = new Quantity("0");
    assertThat(SpecChecks.problems(dj))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("spec.resources.memory")
                    .contains("not a Kubernetes quantity"))
        .anySatisfy(p -> assertThat(p).contains("spec.resources.cpu").contains("above zero"));
  }

  @Test
  void theTrainersOwnValidationRunsOnTheRenderedConfig() {
    DistillationJob dj = Fixtures.distillationJob("trainer");
    dj.getSpec().hyperparameters = new HyperparametersSpec();
    dj.getSpec().hyperparameters.interval = 0.7;
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .contains("hyperparameters.interval");
  }

  @Test
  void aFeatureModuleMustNotLeaveItsClaim() {
    DistillationJob dj = Fixtures.distillationJob("feat");
    dj.getSpec().evaluation = new io.distillery.operator.api.v1alpha1.EvaluationSpec();
    dj.getSpec().evaluation.features =
        new io.distillery.operator.api.v1alpha1.EvaluationSpec.FeaturesSpec();
    dj.getSpec().evaluation.features.uri = "pvc://models/../etc/f.pt";
    dj.getSpec().evaluation.features.digest = "sha256:" + "0".repeat(64);
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .contains("spec.evaluation.features.uri")
        .contains("'..'");
  }
}
