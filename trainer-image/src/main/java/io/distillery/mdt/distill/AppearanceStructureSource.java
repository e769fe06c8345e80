package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.AppearanceStructures;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.data.DatasetException;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.inputs.RemoteInputs;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.sampling.SeededSampling;
import io.distillery.mdt.sampling.ThresholdedStructures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Where an appearance distillation's structures come from when they carry no colours: a structure
 * dataset of your own ({@code dataset.uri}) or a structure model ({@code dataset.structureModel}).
 * The built-in shapes, which bring colours, are {@link DatasetLoader#load}'s.
 */
final class AppearanceStructureSource {
  private AppearanceStructureSource() {}

  /** The training and held-out structures, never overlapping. */
  record Splits(AppearanceStructures train, AppearanceStructures heldOut) {}

  static Splits load(TrainerConfig cfg, Teacher teacher, Device device) throws IOException {
    if (cfg.dataset.structureModel == null) {
      Splits s =
          new Splits(
              DatasetLoader.structures(cfg.dataset, Split.TRAIN),
              DatasetLoader.structures(cfg.dataset, Split.HELD_OUT));
      System.err.printf(
          "structures from %s: %d training, %d held-out (%d and %d empty ones left out)%n",
          cfg.dataset.uri,
          s.train().occupancy().count(),
          s.heldOut().occupancy().count(),
          s.train().dropped(),
          s.heldOut().dropped());
      int r = s.train().occupancy().resolution();
      if (r != teacher.spec().resolution) {
        throw new DatasetException(
            Path.of(cfg.dataset.uri.strip()),
            "structures at resolution "
                + r
                + ", but the appearance teacher "
                + teacher.source()
                + " takes resolution "
                + teacher.spec().resolution);
      }
      return s;
    }
    return sampled(cfg, teacher, device);
  }

  /**
   * {@code heldOutSamples + trainSamples} structures of the structure model with its card's
   * sampler, sample j of class {@code j mod classes} from seed {@code dataset.seed + j}; the first
   * {@code heldOutSamples} are held out. Thresholded at 0, empty ones left out (and counted).
   */
  private static Splits sampled(TrainerConfig cfg, Teacher teacher, Device device)
      throws IOException {
    int held = cfg.dataset.heldOutSamples;
    int train = cfg.dataset.trainSamples;
    if (held < 1 || train < 1) {
      throw new InvalidConfigException(
          "dataset.trainSamples and dataset.heldOutSamples must be >= 1 to sample structures from"
              + " dataset.structureModel, got "
              + train
              + " and "
              + held);
    }
    String structureModel = cfg.dataset.structureModel.strip();
    Path dir = RemoteInputs.localCopy(structureModel).orElse(Path.of(structureModel));
    VoxelBatch grids;
    List<String> names;
    try (ModelArtifacts.Loaded model = ModelArtifacts.load(dir, device)) {
      ModelCard card = model.card();
      checkFits(dir, card, teacher);
      int classes = card.model().numClasses;
      int[] labels = IntStream.range(0, held + train).map(j -> j % classes).toArray();
      grids =
          SeededSampling.sample(
              model.model(),
              card.sampler(),
              labels,
              cfg.dataset.seed,
              SeededSampling.DEFAULT_BATCH,
              null);
      names =
          teacher.classNames() != null
              ? teacher.classNames()
              : card.classNames() != null
                  ? card.classNames()
                  : IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
    }
    VoxelBatch occupancy = ThresholdedStructures.occupancy(grids, 0);
    AppearanceStructures heldOut = AppearanceStructures.of(occupancy.slice(0, held), names);
    AppearanceStructures trainSet =
        AppearanceStructures.of(occupancy.slice(held, held + train), names);
    System.err.printf(
        "structures from %s: %d training, %d held-out (%d and %d empty ones left out)%n",
        dir,
        trainSet.occupancy().count(),
        heldOut.occupancy().count(),
        trainSet.dropped(),
        heldOut.dropped());
    if (trainSet.occupancy().count() == 0 || heldOut.occupancy().count() == 0) {
      throw new DatasetException(
          dir, "sampled only empty structures for a split (no voxel above 0): nothing to colour");
    }
    return new Splits(trainSet, heldOut);
  }

  /** The structure model must make the grids and classes the appearance teacher colours. */
  static void checkFits(Path dir, ModelCard card, Teacher teacher) throws DatasetException {
    if (card.stage() != TrainerConfig.Stage.STRUCTURE) {
      throw new DatasetException(
          dir, "dataset.structureModel must be a structure-stage model, this is " + card.stage());
    }
    TrainerConfig.ModelSpec s = card.model();
    TrainerConfig.ModelSpec t = teacher.spec();
    if (s.resolution != t.resolution || s.numClasses != t.numClasses) {
      throw new DatasetException(
          dir,
          "the structure model makes "
              + s.numClasses
              + " classes at resolution "
              + s.resolution
              + ", but the appearance teacher "
              + teacher.source()
              + " takes "
              + t.numClasses
              + " classes at resolution "
              + t.resolution);
    }
    List<String> names = teacher.classNames();
    if (names != null && card.classNames() != null && !names.equals(card.classNames())) {
      throw new DatasetException(
          dir,
          "the structure model's classes "
              + card.classNames()
              + " differ from the appearance teacher's "
              + names);
    }
  }
}
