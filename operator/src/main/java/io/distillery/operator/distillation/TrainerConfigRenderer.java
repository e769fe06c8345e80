package io.distillery.operator.distillation;

import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.api.v1alpha1.EvaluationSpec;
import io.distillery.operator.api.v1alpha1.HyperparametersSpec;
import io.distillery.operator.api.v1alpha1.Method;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.TeacherSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Renders the trainer configuration (exactly the file {@code mdt distill --config} reads) from a
 * DistillationJob. Unset spec fields keep the trainer's defaults, so the two sides share one
 * schema: {@link TrainerConfig}.
 */
public final class TrainerConfigRenderer {
  private TrainerConfigRenderer() {}

  public static TrainerConfig render(DistillationJob dj) {
    DistillationJobSpec spec = dj.getSpec();
    // The stage's defaults (an appearance teacher is unguided, RGB) under what the spec states.
    TrainerConfig c =
        TrainerConfig.defaultsFor(
            spec.stageOrDefault() == Stage.APPEARANCE
                ? TrainerConfig.Stage.APPEARANCE
                : TrainerConfig.Stage.STRUCTURE);
    String outputClaim = DistillationNames.outputClaim(dj);
    String outputDir = outputDirOnClaim(dj);

    TeacherSpec teacher = spec.teacher;
    c.teacher.uri = InputUris.localPath(teacher.uri, outputClaim, outputDir);
    if (teacher.format != null) {
      c.teacher.format = teacher.format == TeacherSpec.Format.TORCHSCRIPT ? "torchscript" : "djl";
    }
    if (teacher.shape != null) {
      c.model.channels = teacher.shape.channels;
      c.model.resolution = teacher.shape.resolution;
      c.model.numClasses = teacher.shape.numClasses;
      // The module is the architecture; the built-in transformer's patching does not apply.
      c.model.patchSize = 1;
    }
    if (teacher.sampler != null) {
      set(teacher.sampler.steps, v -> c.teacher.sampler.steps = v);
      set(teacher.sampler.cfgStrength, v -> c.teacher.sampler.cfgStrength = v);
      set(teacher.sampler.rescaleT, v -> c.teacher.sampler.rescaleT = v);
    }
    if (spec.dataset != null && spec.dataset.uri != null) {
      c.dataset.uri = InputUris.localPath(spec.dataset.uri, outputClaim, outputDir);
    }
    if (spec.dataset != null && spec.dataset.structureModel != null) {
      c.dataset.structureModel =
          InputUris.localPath(spec.dataset.structureModel, outputClaim, outputDir);
    }
    if (spec.method != null) {
      c.method = spec.method == Method.CM ? TrainerConfig.Method.CM : TrainerConfig.Method.MDT;
    }
    c.studentSteps = new ArrayList<>(spec.studentStepsOrDefault());
    applyHyperparameters(spec.hyperparameters, c.hyperparameters);
    applyEvaluation(spec.evaluation, c.evaluation, outputClaim, outputDir);
    c.output.dir = DistillationNames.OUTPUT_MOUNT + "/" + outputDir;
    // With object storage, output.dir is scratch (an emptyDir) the trainer mirrors to the prefix.
    c.output.uri = outputUri(dj);
    c.terminationMessagePath = DistillationNames.TERMINATION_MESSAGE_PATH;
    set(spec.checkpointEverySteps, v -> c.checkpointEverySteps = v);
    int gpus = spec.resources != null ? spec.resources.gpusOrZero() : 0;
    c.device = gpus > 0 ? "gpu" : "cpu";
    // One data-parallel replica per requested GPU: the trainer fails (exit 2, naming the count it
    // finds) when the pod sees fewer, instead of silently training on fewer.
    c.replicas = gpus;
    return c;
  }

  /** The rendered YAML, as stored in the ConfigMap. */
  public static String renderYaml(DistillationJob dj) {
    return TrainerConfigs.toYaml(render(dj));
  }

  /** SHA-256 of the rendered YAML; on the pod template so a new config rolls the pod. */
  public static String hash(String yaml) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(yaml.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code <spec.output.uri>/<path>}: the job's prefix in object storage; null without one. */
  public static String outputUri(DistillationJob dj) {
    String uri = dj.getSpec().output.uri;
    return uri == null ? null : uri.replaceAll("/+$", "") + "/" + outputDirOnClaim(dj);
  }

  /** Directory of this job on the output claim (relative to the claim's root). */
  public static String outputDirOnClaim(DistillationJob dj) {
    String path = dj.getSpec().output.path;
    return path != null ? path : dj.getMetadata().getName();
  }

  private static void applyHyperparameters(
      HyperparametersSpec h, TrainerConfig.Hyperparameters out) {
    if (h == null) {
      return;
    }
    set(h.maxSteps, v -> out.maxSteps = v);
    set(h.batchSize, v -> out.batchSize = v);
    set(h.learningRate, v -> out.learningRate = v);
    set(h.weightDecay, v -> out.weightDecay = v);
    set(h.warmupSteps, v -> out.warmupSteps = v);
    set(h.emaRate, v -> out.emaRate = v);
    set(h.lambdaVM, v -> out.lambdaVM = v);
    set(h.lambdaVD, v -> out.lambdaVD = v);
    set(h.cfgTeacherVM, v -> out.cfgTeacherVM = v);
    set(h.cfgTeacherVD, v -> out.cfgTeacherVD = v);
    set(h.interval, v -> out.interval = v);
    set(h.dNorm, v -> out.dNorm = v);
    set(h.intervalWeighting, v -> out.intervalWeighting = v);
    set(h.emaTarget, v -> out.emaTarget = v);
    set(h.seed, v -> out.seed = v);
    set(h.precision, v -> out.precision = v);
    if (h.tSchedule != null) {
      set(h.tSchedule.mean, v -> out.tSchedule.mean = v);
      set(h.tSchedule.std, v -> out.tSchedule.std = v);
    }
    if (h.gradClip != null) {
      set(h.gradClip.maxNorm, v -> out.gradClip.maxNorm = v);
      set(h.gradClip.percentile, v -> out.gradClip.percentile = v);
      set(h.gradClip.window, v -> out.gradClip.window = v);
    }
  }

  private static void applyEvaluation(
      EvaluationSpec e, TrainerConfig.Evaluation out, String outputClaim, String outputDir) {
    if (e == null) {
      return;
    }
    set(e.samples, v -> out.samples = v);
    if (e.gates != null) {
      out.maxFdRatio = e.gates.maxFdRatio;
      out.minSpeedup = e.gates.minSpeedup;
      out.maxPairedError = e.gates.maxPairedError;
      out.minPairedIoU = e.gates.minPairedIoU;
    }
    if (e.features != null && e.features.uri != null) {
      out.features = new TrainerConfig.Features();
      // A pvc:// module is read where its claim is mounted, like a pvc:// teacher.
      out.features.uri = InputUris.localPath(e.features.uri, outputClaim, outputDir);
      out.features.digest = e.features.digest;
    }
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
