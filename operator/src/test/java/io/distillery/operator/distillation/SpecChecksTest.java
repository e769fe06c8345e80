package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DatasetSpec;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.EvaluationSpec;
import io.distillery.operator.api.v1alpha1.HyperparametersSpec;
import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.TeacherShapeSpec;
import io.distillery.operator.api.v1alpha1.TeacherSpec;
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
        "file:///opt/models/t",
        "s3://models/teachers/t",
        "s3://my.models-1",
        "s3://abc/"
      })
  void supportedLocationsPass(String uri) {
    DistillationJob dj = Fixtures.distillationJob("ok");
    dj.getSpec().teacher.uri = uri;
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void unknownSchemeNamesTheFieldAndTheScheme() {
    DistillationJob dj = Fixtures.distillationJob("gs");
    dj.getSpec().teacher.uri = "gs://bucket/t";
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .contains("spec.teacher.uri")
        .contains("'gs'")
        .contains("pvc://<claim>/<path>")
        .contains("s3://<bucket>/<prefix>");
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

  /** An appearance job as the example runs it: an artifact teacher, the built-in shapes. */
  private static DistillationJob appearanceJob(String name) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.getSpec().stage = Stage.APPEARANCE;
    dj.getSpec().teacher.uri = "pvc://models/appearance-teacher";
    dj.getSpec().evaluation = new EvaluationSpec();
    dj.getSpec().evaluation.gates = new EvaluationSpec.GatesSpec();
    dj.getSpec().evaluation.gates.maxPairedError = 0.3;
    dj.getSpec().evaluation.gates.minSpeedup = 5.0;
    return dj;
  }

  @Test
  void anAppearanceJobOnTheBuiltInShapesWithPairedErrorAndSpeedGatesPasses() {
    DistillationJob dj = appearanceJob("app");
    assertThat(SpecChecks.problems(dj)).isEmpty();
    dj.getSpec().dataset = new DatasetSpec();
    dj.getSpec().dataset.uri = "builtin:shapes";
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void theAppearanceStageTakesAStructureDatasetOrAStructureModel() {
    DistillationJob dj = appearanceJob("app-data");
    dj.getSpec().dataset = new DatasetSpec();
    dj.getSpec().dataset.uri = "pvc://teacher-data/occupancy";
    assertThat(SpecChecks.problems(dj)).isEmpty();
    dj.getSpec().dataset.uri = null;
    dj.getSpec().dataset.structureModel = "pvc://models/structure-teacher";
    assertThat(SpecChecks.problems(dj)).isEmpty();
    dj.getSpec().dataset.structureModel = "s3://models/structure-teacher";
    assertThat(SpecChecks.problems(dj)).isEmpty();
    dj.getSpec().dataset.structureModel = "gs://models/structure-teacher";
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .startsWith("spec.dataset.structureModel: unsupported location");
  }

  @Test
  void theStructureStageRefusesAStructureModel() {
    DistillationJob dj = Fixtures.distillationJob("structure-model");
    dj.getSpec().dataset = new DatasetSpec();
    dj.getSpec().dataset.structureModel = "pvc://models/structure-teacher";
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .startsWith("spec.dataset.structureModel: only the appearance stage");
  }

  @Test
  void theAppearanceStageRefusesTheFdGate() {
    DistillationJob dj = appearanceJob("app-fd");
    dj.getSpec().evaluation.gates.maxFdRatio = 1.2;
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .startsWith("spec.evaluation.gates.maxFdRatio: the appearance stage")
        .contains("gate on maxPairedError instead");
  }

  @Test
  void theAppearanceStageRefusesTheIoUGate() {
    DistillationJob dj = appearanceJob("app-iou");
    dj.getSpec().evaluation.gates.minPairedIoU = 0.8;
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .startsWith("spec.evaluation.gates.minPairedIoU: IoU needs occupancy data")
        .contains("gate on maxPairedError instead");
  }

  @Test
  void theAppearanceStageTakesItsShippedTeacher() {
    DistillationJob dj = appearanceJob("app-shipped");
    dj.getSpec().teacher.uri = "builtin:shipped";
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void aTorchScriptAppearanceTeacherNeedsItsShape() {
    DistillationJob dj = appearanceJob("app-ts");
    dj.getSpec().teacher.uri = "pvc://models/slat.pt";
    dj.getSpec().teacher.format = TeacherSpec.Format.TORCHSCRIPT;
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .startsWith("spec.teacher.shape: a TorchScript appearance teacher needs its shape")
        .contains("channels");
    dj.getSpec().teacher.shape = new TeacherShapeSpec();
    dj.getSpec().teacher.shape.channels = 3;
    dj.getSpec().teacher.shape.resolution = 16;
    dj.getSpec().teacher.shape.numClasses = 8;
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void everyAppearanceProblemIsReportedAtOnce() {
    DistillationJob dj = appearanceJob("app-all");
    dj.getSpec().teacher.uri = "/models/slat.pt";
    dj.getSpec().dataset = new DatasetSpec();
    dj.getSpec().dataset.uri = "/data/x";
    dj.getSpec().evaluation.gates.maxFdRatio = 1.2;
    dj.getSpec().evaluation.gates.minPairedIoU = 0.8;
    dj.getSpec().teacher.format = TeacherSpec.Format.TORCHSCRIPT;
    assertThat(SpecChecks.problems(dj))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).startsWith("spec.evaluation.gates.maxFdRatio"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.evaluation.gates.minPairedIoU"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.teacher.shape"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s3://ab/t",
        "s3://Models/t",
        "s3://-models/t",
        "s3://models-/t",
        "s3://my_models/t",
        "s3://my..models/t",
        "s3://192.168.1.10/t",
        "s3:///t"
      })
  void s3BucketNamesFollowTheS3Rules(String uri) {
    DistillationJob dj = Fixtures.distillationJob("bad-bucket");
    dj.getSpec().dataset = new DatasetSpec();
    dj.getSpec().dataset.uri = uri;
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .startsWith("spec.dataset.uri: '" + uri + "'")
        .contains("bucket");
  }

  @Test
  void anObjectStorageOutputMustBeAnS3Prefix() {
    DistillationJob dj = Fixtures.distillationJob("out-s3");
    dj.getSpec().output.claimName = null;
    dj.getSpec().output.size = null;
    dj.getSpec().output.uri = "s3://distillery-out/jobs";
    assertThat(SpecChecks.problems(dj)).isEmpty();
    dj.getSpec().output.uri = "gs://distillery-out/jobs";
    assertThat(SpecChecks.problems(dj))
        .singleElement()
        .asString()
        .isEqualTo("spec.output.uri: 'gs://distillery-out/jobs' is not s3://<bucket>/<prefix>");
    dj.getSpec().output.uri = "s3://x/jobs";
    assertThat(SpecChecks.problems(dj)).singleElement().asString().startsWith("spec.output.uri:");
  }
}
