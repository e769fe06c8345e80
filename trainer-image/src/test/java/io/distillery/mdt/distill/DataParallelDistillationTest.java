package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.serve.TinyModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 for distillation: two CPU replicas (each with its own student, EMA target and the shared
 * frozen teacher) distill the same student as one, for MDT (VM + VD, EMA target) and CM.
 */
class DataParallelDistillationTest {
  @TempDir Path dir;

  @Test
  void twoReplicasDistillTheSameStudentAsOne() throws Exception {
    Path teacher = TinyModels.teacher(dir.resolve("teacher-run"), 3);
    LoadedDataset train = shapes();
    for (String method : List.of("mdt", "cm")) {
      StudentDistillation.Result one = distill(teacher, train, method, 1, "fp32", 4);
      StudentDistillation.Result two = distill(teacher, train, method, 2, "fp32", 4);
      for (var e : one.history().values.entrySet()) {
        List<Double> a = e.getValue();
        List<Double> b = two.history().values.get(e.getKey());
        assertThat(b).as(method + " " + e.getKey()).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
          assertThat(Math.abs(a.get(i) - b.get(i)))
              .as("%s %s of step %d", method, e.getKey(), i + 1)
              .isLessThan(1e-4 * Math.abs(a.get(i)) + 1e-7);
        }
      }
      try (Weights a = Weights.load(one.artifact().resolve(ModelArtifacts.WEIGHTS), Device.cpu());
          Weights b = Weights.load(two.artifact().resolve(ModelArtifacts.WEIGHTS), Device.cpu())) {
        for (var e : a.asMap().entrySet()) {
          float diff = e.getValue().sub(b.get(e.getKey())).abs().max().getFloat();
          assertThat(diff).as(method + " " + e.getKey()).isLessThan(5e-5f);
        }
      }
    }
  }

  /**
   * Issue 20 item 4 for distillation: float16 student replicas over a float32 master (the frozen
   * teacher stays float32) distill to the losses float32 reaches.
   */
  @Test
  void float16StudentsDistillToTheLossesOfFloat32() throws Exception {
    Path teacher = TinyModels.teacher(dir.resolve("teacher-run"), 3);
    LoadedDataset train = shapes();
    StudentDistillation.Result full = distill(teacher, train, "mdt", 1, "fp32", 60);
    StudentDistillation.Result half = distill(teacher, train, "mdt", 2, "fp16", 60);
    for (String loss : List.of("vm", "vd")) {
      double a = tailMean(full.history().values.get(loss));
      double b = tailMean(half.history().values.get(loss));
      System.out.printf(
          "mixed precision distillation %s: last-20 mean fp32 %.5f, fp16 %.5f (%.2f%%)%n",
          loss, a, b, 100 * (b - a) / a);
      assertThat(Math.abs(b - a)).as(loss).isLessThan(0.15 * Math.abs(a));
    }
    assertThat(half.history().values).containsKey("lossScale");
    try (Weights w = Weights.load(half.artifact().resolve(ModelArtifacts.WEIGHTS), Device.cpu())) {
      assertThat(w.dataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
    }
  }

  private static LoadedDataset shapes() {
    return new LoadedDataset(
        BuiltinShapes.generate(16, 16, 7, BuiltinShapes.Split.TRAIN), BuiltinShapes.CLASS_NAMES);
  }

  private static double tailMean(List<Double> v) {
    return v.subList(v.size() - 20, v.size()).stream().mapToDouble(d -> d).average().orElseThrow();
  }

  private StudentDistillation.Result distill(
      Path teacherDir,
      LoadedDataset train,
      String method,
      int replicas,
      String precision,
      int steps)
      throws Exception {
    TrainerConfig cfg =
        TrainerConfigs.validated(
            TrainerConfigs.withOverrides(
                new TrainerConfig(),
                Map.of(
                    "teacher.uri",
                    teacherDir.toString(),
                    "method",
                    method,
                    "hyperparameters.maxSteps",
                    String.valueOf(steps),
                    "hyperparameters.precision",
                    precision,
                    "hyperparameters.batchSize",
                    "4",
                    "hyperparameters.emaTarget",
                    "true",
                    "replicas",
                    String.valueOf(replicas),
                    "output.dir",
                    dir.resolve(method + "-" + replicas + "-" + precision).toString(),
                    "progressPort",
                    "0")));
    try (Teacher teacher = Teacher.load(cfg, Device.cpu())) {
      return StudentDistillation.run(
          cfg,
          teacher,
          train,
          TrainingMonitor.none(),
          Map.of(),
          StudentDistillation.Evaluator.none());
    }
  }
}
