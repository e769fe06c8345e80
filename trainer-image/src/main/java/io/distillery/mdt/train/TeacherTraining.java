package io.distillery.mdt.train;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetException;
import io.distillery.mdt.data.DatasetIdentity;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.model.FlowModels;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Precision;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.progress.TrainingMonitor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mdt train-teacher}: trains the built-in flow transformer of config {@code stage} (the
 * dense structure flow, or the sparse appearance flow on the dataset's structures) with the
 * flow-matching loss and writes it as an artifact ({@code <out>/teacher}) holding the EMA weights,
 * {@code model.json} (the architecture and the sampler defaults of {@code teacher.sampler}) and the
 * loss curve. Checkpoints go to {@code <out>/checkpoints/teacher}; a second run over the same
 * directory resumes. With several devices ({@link Devices#forTraining}) one replica of the model
 * trains on each, sharing every step's global batch ({@link TrainingLoop}).
 */
public final class TeacherTraining {
  public static final String ARTIFACT_DIR = "teacher";
  public static final String CHECKPOINT_DIR = "checkpoints/teacher";
  public static final String LOSS_PLOT = "loss.png";

  private TeacherTraining() {}

  /** What a finished run produced. */
  public record Result(
      Path artifact,
      String digest,
      long steps,
      long resumedFromStep,
      Map<String, Double> finalLosses,
      double secondsPerStep,
      long parameters) {}

  /**
   * Loads the training split named by {@code dataset} and trains, recording its {@link Lineage}.
   */
  public static Result run(
      TrainerConfig cfg, Device device, TrainingMonitor monitor, Map<String, Object> provenance)
      throws IOException {
    LoadedDataset train = DatasetLoader.load(cfg, BuiltinShapes.Split.TRAIN);
    Map<String, Object> lineage = Lineage.of(cfg, null, null, DatasetIdentity.of(cfg));
    return run(cfg, train, device, monitor, Lineage.with(provenance, lineage));
  }

  public static Result run(
      TrainerConfig cfg,
      LoadedDataset train,
      Device device,
      TrainingMonitor monitor,
      Map<String, Object> provenance)
      throws IOException {
    TrainerConfig.ModelSpec spec = cfg.model;
    checkDataFitsModel(cfg, train);
    TrainerConfig.Hyperparameters h = cfg.hyperparameters;
    Path out = Path.of(cfg.output.dir);
    String fingerprint = "teacher: " + FlowModels.describe(cfg.stage, spec) + ", seed " + h.seed;
    TrainingData data = VoxelBatchData.of(train);
    List<Device> devices = Devices.forTraining(device, cfg.replicas, h.batchSize);
    try (ReplicaModels replicas =
            ReplicaModels.on(
                devices,
                Precision.of(h.precision),
                d -> FlowModels.create(cfg.stage, spec, h.seed, d),
                w -> FlowModels.withWeights(cfg.stage, spec, w));
        TrainingLoop loop =
            replicas.loop(
                TrainingLoop.Settings.from(cfg, out.resolve(CHECKPOINT_DIR), fingerprint))) {
      VelocityModel model = replicas.master();
      FlowMatchingLoss loss =
          new FlowMatchingLoss(
              replicas.models(),
              data,
              h.batchSize,
              h.pUncond,
              h.tSchedule.mean,
              h.tSchedule.std,
              h.seed + 1);
      TrainingLoop.Summary s = loop.run(loss, monitor);
      Map<String, Object> training = new LinkedHashMap<>(provenance);
      training.put("steps", h.maxSteps);
      training.put("batchSize", h.batchSize);
      training.put("learningRate", h.learningRate);
      training.put("seed", h.seed);
      training.put("dataset", cfg.dataset.uri);
      training.put("finalLosses", s.finalLosses());
      ModelCard card =
          ModelCard.builtIn(
              cfg.stage,
              "teacher",
              spec,
              new SamplerSettings(
                  cfg.teacher.sampler.steps,
                  cfg.teacher.sampler.cfgStrength,
                  cfg.teacher.sampler.rescaleT),
              false,
              train.classNames(),
              training);
      Artifact artifact =
          ModelArtifacts.write(
              out.resolve(ARTIFACT_DIR),
              card,
              loop.ema().shadow(),
              w -> LossCurves.write(loop.history(), "teacher flow matching", w.path(LOSS_PLOT)));
      return new Result(
          artifact.dir(),
          artifact.digest(),
          s.history().steps.size(),
          s.startStep(),
          s.finalLosses(),
          s.secondsPerStep(),
          model.weights().parameterCount());
    }
  }

  private static void checkDataFitsModel(TrainerConfig cfg, LoadedDataset train)
      throws DatasetException {
    var b = train.batch();
    TrainerConfig.ModelSpec spec = cfg.model;
    if (b.channels() != spec.channels || b.resolution() != spec.resolution) {
      throw new DatasetException(
          Path.of(cfg.dataset.uri),
          "samples are "
              + b.channels()
              + " channel(s) at resolution "
              + b.resolution()
              + ", but model.channels="
              + spec.channels
              + " and model.resolution="
              + spec.resolution);
    }
    if (train.numClasses() > spec.numClasses) {
      throw new DatasetException(
          Path.of(cfg.dataset.uri),
          "has "
              + train.numClasses()
              + " classes "
              + List.copyOf(train.classNames())
              + ", more than model.numClasses="
              + spec.numClasses);
    }
  }
}
