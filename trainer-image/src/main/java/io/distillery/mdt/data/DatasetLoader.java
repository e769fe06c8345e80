package io.distillery.mdt.data;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.inputs.RemoteInputs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
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
   * colours on the built-in shapes ({@link BuiltinAppearance}) for the appearance stage. Colours
   * come only with {@code builtin:shapes}; a structure dataset of your own gives the appearance
   * stage structures without colours ({@link #structures}), which only distillation can use.
   */
  public static LoadedDataset load(TrainerConfig cfg, Split split) throws DatasetException {
    if (cfg.stage != TrainerConfig.Stage.APPEARANCE) {
      return load(cfg.dataset, split);
    }
    if (!hasBuiltinColours(cfg)) {
      throw new IllegalArgumentException(
          "dataset.uri '"
              + cfg.dataset.uri
              + "': appearance training data (colours) comes only from builtin:shapes; a"
              + " structure dataset or dataset.structureModel carries no colours and serves"
              + " only appearance distillation (mdt distill)");
    }
    int count = split == Split.TRAIN ? cfg.dataset.trainSamples : cfg.dataset.heldOutSamples;
    checkBuiltin(cfg.dataset, split, count);
    // One generation gives the structures and their colours (the same grids BuiltinShapes gives).
    AppearanceBatch a =
        BuiltinAppearance.generate(cfg.dataset.resolution, count, cfg.dataset.seed, split);
    VoxelBatch shapes = a.shapes();
    VoxelBatch colours =
        new VoxelBatch(
            a.colours(),
            shapes.labels(),
            shapes.count(),
            BuiltinAppearance.CHANNELS,
            shapes.resolution());
    return new LoadedDataset(colours, BuiltinShapes.CLASS_NAMES, shapes);
  }

  /**
   * Whether the appearance stage of {@code cfg} reads the built-in shapes with their procedural
   * colours (the ground truth of {@code appearanceError}), rather than structures alone.
   */
  public static boolean hasBuiltinColours(TrainerConfig cfg) {
    return cfg.dataset.structureModel == null
        && BUILTIN_SHAPES.equals(cfg.dataset.uri == null ? "" : cfg.dataset.uri.strip());
  }

  /**
   * One split of a structure dataset of your own ({@code dataset.uri}, any dataset the structure
   * stage reads) as the appearance stage's structures: channel 0 of each grid above 0 is occupied,
   * further channels are not read, and empty grids are left out.
   */
  public static AppearanceStructures structures(TrainerConfig.Dataset cfg, Split split)
      throws DatasetException {
    LoadedDataset grids = load(cfg, split);
    AppearanceStructures s = AppearanceStructures.of(grids.batch(), grids.classNames());
    if (s.occupancy().count() == 0) {
      throw new DatasetException(
          toPath(cfg.uri.strip()),
          "every one of its "
              + grids.batch().count()
              + " "
              + (split == Split.TRAIN ? "training" : "held-out")
              + " structures is empty (no voxel above 0)");
    }
    return s;
  }

  /** One split of the structure stage's samples (occupancy grids or latents). */
  public static LoadedDataset load(TrainerConfig.Dataset cfg, Split split) throws DatasetException {
    String uri = cfg.uri == null ? "" : cfg.uri.strip();
    if (uri.equals(BUILTIN_SHAPES)) {
      int count = split == Split.TRAIN ? cfg.trainSamples : cfg.heldOutSamples;
      checkBuiltin(cfg, split, count);
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

  private static void checkBuiltin(TrainerConfig.Dataset cfg, Split split, int count) {
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
  }

  static Path toPath(String uri) {
    Optional<Path> downloaded = RemoteInputs.localCopy(uri);
    if (downloaded.isPresent()) {
      return downloaded.get();
    }
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
              + "': unsupported scheme; use builtin:shapes, a directory path, a file:// URI or an"
              + " s3:// prefix");
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
