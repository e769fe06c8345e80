package io.distillery.mdt.data;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BuiltinShapes.Split;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Loads one split of the dataset named by {@code dataset.uri}: {@code builtin:shapes}, or a path /
 * {@code file://} URI of NumPy shards ({@link NpyShardDataset}).
 *
 * <p>A shard directory with {@code train/} and {@code heldout/} subdirectories supplies each split
 * itself. Otherwise the samples are shuffled with {@code dataset.seed} and the first {@code
 * dataset.heldOutSamples} of that order form the held-out split, the rest the training split, so
 * the two never overlap.
 */
public final class DatasetLoader {

  /** The {@code dataset.uri} of the generated shapes. */
  public static final String BUILTIN_SHAPES = "builtin:shapes";

  private DatasetLoader() {}

  /**
   * One split of the samples of config {@code stage}: occupancy grids for the structure stage,
   * colours on the built-in shapes ({@link BuiltinAppearance}) for the appearance stage.
   */
  public static LoadedDataset load(TrainerConfig cfg, Split split) throws DatasetException {
    if (cfg.stage != TrainerConfig.Stage.APPEARANCE) {
      return load(cfg.dataset, split);
    }
    String uri = cfg.dataset.uri == null ? "" : cfg.dataset.uri.strip();
    if (!uri.equals(BUILTIN_SHAPES)) {
      throw new IllegalArgumentException(
          "dataset.uri '"
              + uri
              + "': the appearance stage trains on builtin:shapes (colours on the built-in"
              + " structures); datasets of your own are not supported for it yet");
    }
    LoadedDataset structures = load(cfg.dataset, split);
    VoxelBatch shapes = structures.batch();
    AppearanceBatch a =
        BuiltinAppearance.generate(shapes.resolution(), shapes.count(), cfg.dataset.seed, split);
    VoxelBatch colours =
        new VoxelBatch(
            a.colours(),
            shapes.labels(),
            shapes.count(),
            BuiltinAppearance.CHANNELS,
            shapes.resolution());
    return new LoadedDataset(colours, structures.classNames(), a.shapes());
  }

  /** One split of the structure stage's samples (occupancy grids or latents). */
  public static LoadedDataset load(TrainerConfig.Dataset cfg, Split split) throws DatasetException {
    String uri = cfg.uri == null ? "" : cfg.uri.strip();
    if (uri.equals(BUILTIN_SHAPES)) {
      int count = split == Split.TRAIN ? cfg.trainSamples : cfg.heldOutSamples;
      if (cfg.resolution != 16 && cfg.resolution != 32) {
        throw new IllegalArgumentException(
            "dataset.resolution: built-in shapes come at 16 or 32, got " + cfg.resolution);
      }
      if (count < 1) {
        throw new IllegalArgumentException(
            "dataset."
                + (split == Split.TRAIN ? "trainSamples" : "heldOutSamples")
                + " must be >= 1, got "
                + count);
      }
      return new LoadedDataset(
          BuiltinShapes.generate(cfg.resolution, count, cfg.seed, split),
          BuiltinShapes.CLASS_NAMES);
    }
    Path location = toPath(uri);
    Path splitDir = location.resolve(split == Split.TRAIN ? "train" : "heldout");
    if (Files.isDirectory(location)
        && Files.isDirectory(location.resolve("train"))
        && Files.isDirectory(location.resolve("heldout"))) {
      return NpyShardDataset.read(splitDir);
    }
    LoadedDataset all = NpyShardDataset.read(location);
    int n = all.batch().count();
    int held = cfg.heldOutSamples;
    if (held < 1 || held >= n) {
      throw new DatasetException(
          location,
          "has "
              + n
              + " samples; dataset.heldOutSamples="
              + held
              + " must be between 1 and "
              + (n - 1)
              + " (or provide train/ and heldout/ subdirectories)");
    }
    int[] order = shuffled(n, cfg.seed);
    int[] picked =
        split == Split.HELD_OUT
            ? Arrays.copyOfRange(order, 0, held)
            : Arrays.copyOfRange(order, held, n);
    return new LoadedDataset(all.batch().select(picked), all.classNames());
  }

  static Path toPath(String uri) {
    if (uri.isEmpty()) {
      throw new IllegalArgumentException(
          "dataset.uri is empty: use builtin:shapes, a directory path or a file:// URI");
    }
    if (uri.startsWith("file:")) {
      try {
        return Path.of(URI.create(uri));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "dataset.uri '" + uri + "': not a valid file URI (" + e.getMessage() + ")", e);
      }
    }
    if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
      throw new IllegalArgumentException(
          "dataset.uri '"
              + uri
              + "': unsupported scheme; use builtin:shapes, a directory path or a file:// URI");
    }
    return Path.of(uri);
  }

  private static int[] shuffled(int n, long seed) {
    int[] order = IntStream.range(0, n).toArray();
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
