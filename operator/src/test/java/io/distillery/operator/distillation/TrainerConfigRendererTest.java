package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.EvaluationSpec;
import io.distillery.operator.api.v1alpha1.HyperparametersSpec;
import io.distillery.operator.api.v1alpha1.Method;
import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.api.v1alpha1.SamplerSpec;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.TeacherShapeSpec;
import io.distillery.operator.api.v1alpha1.TeacherSpec;
import io.distillery.operator.testing.fixtures.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerConfigRendererTest {

  @Test
  void unsetFieldsKeepTheTrainersDefaults() {
    DistillationJob dj = Fixtures.distillationJob("defaults");
    TrainerConfig rendered = TrainerConfigRenderer.render(dj);
    TrainerConfig defaults = new TrainerConfig();
    assertThat(rendered.hyperparameters)
        .usingRecursiveComparison()
        .isEqualTo(defaults.hyperparameters);
    assertThat(rendered.teacher.sampler)
        .usingRecursiveComparison()
        .isEqualTo(defaults.teacher.sampler);
    assertThat(rendered.studentSteps).containsExactly(1, 2);
    assertThat(rendered.method).isEqualTo(TrainerConfig.Method.MDT);
    assertThat(rendered.stage).isEqualTo(TrainerConfig.Stage.STRUCTURE);
    assertThat(rendered.device).isEqualTo("cpu");
    assertThat(rendered.replicas).isZero();
    assertThat(rendered.output.dir).isEqualTo("/var/lib/distillery/output/defaults");
    assertThat(TrainerConfigs.problems(rendered)).isEmpty();
  }

  @Test
  void everySetFieldReachesTheConfigTheTrainerReads() {
    DistillationJob dj = Fixtures.distillationJob("full");
    var spec = dj.getSpec();
    spec.teacher.format = TeacherSpec.Format.TORCHSCRIPT;
    spec.teacher.uri = "pvc://models/flow.pt";
    spec.teacher.sampler = new SamplerSpec();
    spec.teacher.sampler.steps = 50;
    spec.teacher.sampler.cfgStrength = 4.5;
    spec.method = Method.CM;
    spec.studentSteps = List.of(1);
    spec.hyperparameters = new HyperparametersSpec();
    spec.hyperparameters.maxSteps = 1000;
    spec.hyperparameters.batchSize = 8;
    spec.hyperparameters.learningRate = 2e-5;
    spec.hyperparameters.lambdaVM = 0.0;
    spec.hyperparameters.lambdaVD = 2.0;
    spec.hyperparameters.dNorm = true;
    spec.hyperparameters.intervalWeighting = false;
    spec.hyperparameters.emaTarget = false;
    spec.hyperparameters.tSchedule = new HyperparametersSpec.TimeScheduleSpec();
    spec.hyperparameters.tSchedule.std = 0.5;
    spec.hyperparameters.gradClip = new HyperparametersSpec.GradClipSpec();
    spec.hyperparameters.gradClip.window = 10;
    spec.hyperparameters.seed = 9L;
    spec.hyperparameters.precision = "fp16";
    spec.evaluation = new EvaluationSpec();
    spec.evaluation.samples = 64;
    spec.evaluation.gates = new EvaluationSpec.GatesSpec();
    spec.evaluation.gates.maxFdRatio = 1.2;
    spec.evaluation.gates.minSpeedup = 10.0;
    spec.evaluation.gates.maxPairedError = 0.2;
    spec.evaluation.gates.minPairedIoU = 0.8;
    spec.evaluation.features = features("builtin:teacher", null);
    spec.checkpointEverySteps = 50;
    spec.output.path = "runs/a";
    spec.resources = new ResourcesSpec();
    spec.resources.gpus = 2;

    String yaml = TrainerConfigRenderer.renderYaml(dj);
    TrainerConfig c = TrainerConfigs.parse(yaml, "rendered");
    assertThat(c.teacher.format).isEqualTo("torchscript");
    assertThat(c.teacher.uri).isEqualTo("/var/lib/distillery/inputs/models/flow.pt");
    assertThat(c.teacher.sampler.steps).isEqualTo(50);
    assertThat(c.teacher.sampler.cfgStrength).isEqualTo(4.5);
    assertThat(c.teacher.sampler.rescaleT).isEqualTo(1.0);
    assertThat(c.method).isEqualTo(TrainerConfig.Method.CM);
    assertThat(c.studentSteps).containsExactly(1);
    assertThat(c.hyperparameters.maxSteps).isEqualTo(1000);
    assertThat(c.hyperparameters.batchSize).isEqualTo(8);
    assertThat(c.hyperparameters.learningRate).isEqualTo(2e-5);
    assertThat(c.hyperparameters.lambdaVM).isZero();
    assertThat(c.hyperparameters.lambdaVD).isEqualTo(2.0);
    assertThat(c.hyperparameters.dNorm).isTrue();
    assertThat(c.hyperparameters.intervalWeighting).isFalse();
    assertThat(c.hyperparameters.emaTarget).isFalse();
    assertThat(c.hyperparameters.tSchedule.std).isEqualTo(0.5);
    assertThat(c.hyperparameters.tSchedule.mean).isEqualTo(1.0);
    assertThat(c.hyperparameters.gradClip.window).isEqualTo(10);
    assertThat(c.hyperparameters.seed).isEqualTo(9L);
    assertThat(c.hyperparameters.precision).isEqualTo("fp16");
    assertThat(c.evaluation.samples).isEqualTo(64);
    assertThat(c.evaluation.maxFdRatio).isEqualTo(1.2);
    assertThat(c.evaluation.minSpeedup).isEqualTo(10.0);
    assertThat(c.evaluation.maxPairedError).isEqualTo(0.2);
    assertThat(c.evaluation.minPairedIoU).isEqualTo(0.8);
    assertThat(c.evaluation.features.uri).isEqualTo(TrainerConfig.Features.TEACHER);
    assertThat(c.evaluation.features.digest).isNull();
    assertThat(c.checkpointEverySteps).isEqualTo(50);
    assertThat(c.output.dir).isEqualTo("/var/lib/distillery/output/runs/a");
    assertThat(c.device).isEqualTo("gpu");
    assertThat(c.replicas).isEqualTo(2);
    assertThat(TrainerConfigs.problems(c)).isEmpty();
    assertThat(TrainerConfigMapDependent.desired(dj).getData()).containsEntry("trainer.yaml", yaml);
  }

  @Test
  void aPvcUriOnTheOutputClaimPointsIntoTheOutputMount() {
    DistillationJob dj = Fixtures.distillationJob("same");
    dj.getSpec().teacher.uri = "pvc://artifacts/teachers/t1";
    assertThat(TrainerConfigRenderer.render(dj).teacher.uri)
        .isEqualTo("/var/lib/distillery/output/teachers/t1");
  }

  @Test
  void aTorchScriptTeachersShapeBecomesTheModelTheTrainerLoadsItWith() {
    DistillationJob dj = Fixtures.distillationJob("ts");
    dj.getSpec().teacher.uri = "pvc://teacher-data/teacher.pt";
    dj.getSpec().teacher.format = TeacherSpec.Format.TORCHSCRIPT;
    dj.getSpec().teacher.shape = new TeacherShapeSpec();
    dj.getSpec().teacher.shape.channels = 8;
    dj.getSpec().teacher.shape.resolution = 16;
    dj.getSpec().teacher.shape.numClasses = 10;
    TrainerConfig c = TrainerConfigRenderer.render(dj);
    assertThat(c.teacher.format).isEqualTo("torchscript");
    assertThat(c.model.channels).isEqualTo(8);
    assertThat(c.model.resolution).isEqualTo(16);
    assertThat(c.model.numClasses).isEqualTo(10);
    assertThat(TrainerConfigs.problems(c)).isEmpty();
    // An odd resolution is fine too: patching belongs to the built-in transformer only.
    dj.getSpec().teacher.shape.resolution = 7;
    assertThat(TrainerConfigs.problems(TrainerConfigRenderer.render(dj))).isEmpty();
  }

  @Test
  void theStageReachesTheConfigAndAppearanceWithATorchScriptTeacherIsValidThere() {
    DistillationJob dj = Fixtures.distillationJob("app");
    dj.getSpec().stage = Stage.STRUCTURE;
    assertThat(TrainerConfigRenderer.renderYaml(dj)).contains("stage: \"structure\"");

    dj.getSpec().stage = Stage.APPEARANCE;
    dj.getSpec().teacher.uri = "pvc://teacher-data/slat.pt";
    dj.getSpec().teacher.format = TeacherSpec.Format.TORCHSCRIPT;
    dj.getSpec().teacher.shape = new TeacherShapeSpec();
    dj.getSpec().teacher.shape.channels = 3;
    dj.getSpec().teacher.shape.resolution = 16;
    dj.getSpec().teacher.shape.numClasses = 8;
    TrainerConfig c = TrainerConfigRenderer.render(dj);
    assertThat(c.stage).isEqualTo(TrainerConfig.Stage.APPEARANCE);
    assertThat(c.model.channels).isEqualTo(3);
    assertThat(TrainerConfigRenderer.renderYaml(dj)).contains("stage: \"appearance\"");
    // The rendered file is what the trainer reads back, stage included.
    assertThat(TrainerConfigs.parse(TrainerConfigRenderer.renderYaml(dj), "rendered").stage)
        .isEqualTo(TrainerConfig.Stage.APPEARANCE);
    assertThat(TrainerConfigs.problems(c)).isEmpty();
  }

  @Test
  void anAppearanceJobWithTheShippedTeacherGetsTheStagesUnguidedDefaults() {
    DistillationJob dj = Fixtures.distillationJob("app-shipped");
    dj.getSpec().stage = Stage.APPEARANCE;
    dj.getSpec().teacher.uri = "builtin:shipped";
    TrainerConfig c = TrainerConfigRenderer.render(dj);
    assertThat(c.teacher.uri).isEqualTo("builtin:shipped");
    assertThat(c.teacher.sampler.cfgStrength).isZero();
    assertThat(c.hyperparameters.cfgTeacherVM).isZero();
    assertThat(c.model.channels).isEqualTo(3);
    // What the spec states still wins.
    dj.getSpec().teacher.sampler = new io.distillery.operator.api.v1alpha1.SamplerSpec();
    dj.getSpec().teacher.sampler.cfgStrength = 1.0;
    assertThat(TrainerConfigRenderer.render(dj).teacher.sampler.cfgStrength).isEqualTo(1.0);
    assertThat(TrainerConfigs.problems(c)).isEmpty();
  }

  @Test
  void anAppearanceJobsStructureDatasetAndStructureModelAreReadWhereTheirClaimsAreMounted() {
    DistillationJob dj = Fixtures.distillationJob("structures");
    dj.getSpec().stage = Stage.APPEARANCE;
    dj.getSpec().dataset = new io.distillery.operator.api.v1alpha1.DatasetSpec();
    dj.getSpec().dataset.uri = "pvc://shapes/occupancy";
    TrainerConfig c = TrainerConfigRenderer.render(dj);
    assertThat(c.dataset.uri).isEqualTo("/var/lib/distillery/inputs/shapes/occupancy");
    assertThat(c.dataset.structureModel).isNull();

    dj.getSpec().dataset.uri = null;
    dj.getSpec().dataset.structureModel = "pvc://models/structure-teacher";
    c = TrainerConfigRenderer.render(dj);
    assertThat(c.dataset.structureModel)
        .isEqualTo("/var/lib/distillery/inputs/models/structure-teacher");
    assertThat(TrainerConfigs.toYaml(c)).contains("structureModel:");
    assertThat(TrainerConfigs.problems(c)).isEmpty();
  }

  @Test
  void aFeatureModuleOnAClaimIsReadWhereItsClaimIsMounted() {
    String digest = "sha256:" + "ab".repeat(32);
    DistillationJob dj = Fixtures.distillationJob("feat");
    dj.getSpec().evaluation = new EvaluationSpec();
    dj.getSpec().evaluation.features = features("pvc://teacher-data/features.pt", digest);
    TrainerConfig c = TrainerConfigRenderer.render(dj);
    assertThat(c.evaluation.features.uri)
        .isEqualTo("/var/lib/distillery/inputs/teacher-data/features.pt");
    assertThat(c.evaluation.features.digest).isEqualTo(digest);
    assertThat(TrainerConfigs.problems(c)).isEmpty();

    dj.getSpec().evaluation.features.uri = "pvc://artifacts/features/f.pt";
    assertThat(TrainerConfigRenderer.render(dj).evaluation.features.uri)
        .isEqualTo("/var/lib/distillery/output/features/f.pt");
  }

  @Test
  void unsetFeaturesAndPairedGatesStayUnsetForTheTrainersDefaults() {
    DistillationJob dj = Fixtures.distillationJob("nofeat");
    dj.getSpec().evaluation = new EvaluationSpec();
    dj.getSpec().evaluation.gates = new EvaluationSpec.GatesSpec();
    dj.getSpec().evaluation.gates.maxFdRatio = 1.2;
    TrainerConfig c = TrainerConfigRenderer.render(dj);
    assertThat(c.evaluation.features).isNull();
    assertThat(c.evaluation.maxPairedError).isNull();
    assertThat(c.evaluation.minPairedIoU).isNull();
    assertThat(TrainerConfigRenderer.renderYaml(dj)).doesNotContain("features");
  }

  private static EvaluationSpec.FeaturesSpec features(String uri, String digest) {
    EvaluationSpec.FeaturesSpec f = new EvaluationSpec.FeaturesSpec();
    f.uri = uri;
    f.digest = digest;
    return f;
  }
}
