package io.distillery.mdt.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A user dataset of NumPy shards, decoded by DJL (see trainer-image/DATASETS.md).
 *
 * <p>A shard is either {@code NAME.npz} holding {@code x} (float, N,C,D,H,W or N,D,H,W for one
 * channel) and {@code y} (integer labels, N), or a pair {@code NAME_x.npy} + {@code NAME_y.npy}.
 * Shards are read in file-name order. An optional {@code classes.txt} (one name per line) next to
 * the shards names the classes and bounds the labels; without it the classes are {@code
 * class0..classK-1} with K = largest label + 1.
 */
public final class NpyShardDataset {

  /** Name of the optional class list next to the shards. */
  public static final String CLASSES_FILE = "classes.txt";

  private NpyShardDataset() {}

  /** Reads every shard of a directory, or one {@code .npz} file. */
  public static LoadedDataset read(Path location) throws DatasetException {
    if (!Files.exists(location)) {
      throw new DatasetException(location, "no such file or directory");
    }
    Path dir = Files.isDirectory(location) ? location : location.toAbsolutePath().getParent();
    List<Path> shards = Files.isDirectory(location) ? shardsIn(location) : List.of(location);
    if (shards.isEmpty()) {
      throw new DatasetException(
          location, "no .npz shards or NAME_x.npy/NAME_y.npy pairs in this directory");
    }
    List<String> classes = readClassNames(dir.resolve(CLASSES_FILE));

    List<VoxelBatch> parts = new ArrayList<>();
    int maxLabel = -1;
    for (Path shard : shards) {
      VoxelBatch part = readShard(shard);
      if (!parts.isEmpty()) {
        VoxelBatch first = parts.get(0);
        if (part.channels() != first.channels()) {
          throw new DatasetException(
              shard,
              "has "
                  + part.channels()
                  + " channels but "
                  + shards.get(0).getFileName()
                  + " has "
                  + first.channels());
        }
        if (part.resolution() != first.resolution()) {
          throw new DatasetException(
              shard,
              "has resolution "
                  + part.resolution()
                  + " but "
                  + shards.get(0).getFileName()
                  + " has "
                  + first.resolution());
        }
      }
      for (int label : part.labels()) {
        if (label < 0 || (classes != null && label >= classes.size())) {
          throw new DatasetException(
              shard,
              "label "
                  + label
                  + " out of range"
                  + (classes == null
                      ? " (labels must be >= 0)"
                      : " [0, " + classes.size() + ") given by " + CLASSES_FILE));
        }
        maxLabel = Math.max(maxLabel, label);
      }
      parts.add(part);
    }
    VoxelBatch all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = VoxelBatch.concat(all, parts.get(i));
    }
    if (classes == null) {
      classes = new ArrayList<>();
      for (int k = 0; k <= maxLabel; k++) {
        classes.add("class" + k);
      }
    }
    return new LoadedDataset(all, classes);
  }

  private static List<Path> shardsIn(Path dir) throws DatasetException {
    List<Path> shards = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".npz")) {
          shards.add(p);
        } else if (name.endsWith("_x.npy")) {
          shards.add(p);
        } else if (name.endsWith("_y.npy")) {
          Path x = p.resolveSibling(name.substring(0, name.length() - 6) + "_x.npy");
          if (!Files.exists(x)) {
            throw new DatasetException(p, "labels without data: " + x.getFileName() + " missing");
          }
        }
      }
    } catch (IOException e) {
      throw new DatasetException(dir, "cannot list directory: " + e.getMessage(), e);
    }
    return shards;
  }

  private static List<String> readClassNames(Path file) throws DatasetException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      List<String> names =
          Files.readAllLines(file, StandardCharsets.UTF_8).stream()
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .toList();
      if (names.isEmpty()) {
        throw new DatasetException(file, "lists no class names");
      }
      return names;
    } catch (IOException e) {
      throw new DatasetException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  /** One shard: validated data and labels. */
  static VoxelBatch readShard(Path shard) throws DatasetException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x;
      NDArray y;
      Path xFile = shard;
      Path yFile = shard;
      String name = shard.getFileName().toString();
      if (name.endsWith(".npz")) {
        NDList arrays = decode(manager, shard);
        x = named(arrays, "x", shard);
        y = named(arrays, "y", shard);
      } else if (name.endsWith("_x.npy")) {
        yFile = shard.resolveSibling(name.substring(0, name.length() - 6) + "_y.npy");
        if (!Files.exists(yFile)) {
          throw new DatasetException(shard, "missing labels file " + yFile.getFileName());
        }
        x = single(decode(manager, shard), shard);
        y = single(decode(manager, yFile), yFile);
      } else {
        throw new DatasetException(shard, "not a .npz shard or NAME_x.npy file");
      }
      return validate(x, xFile, y, yFile);
    }
  }

  private static NDList decode(NDManager manager, Path file) throws DatasetException {
    try (InputStream in = Files.newInputStream(file)) {
      return NDList.decode(manager, in);
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(file, "not a readable NumPy file: " + e.getMessage(), e);
    }
  }

  private static NDArray named(NDList arrays, String name, Path file) throws DatasetException {
    for (NDArray a : arrays) {
      if (name.equals(a.getName())) {
        return a;
      }
    }
    List<String> names = arrays.stream().map(NDArray::getName).toList();
    throw new DatasetException(
        file, "missing array '" + name + "' (arrays present: " + names + ")");
  }

  private static NDArray single(NDList arrays, Path file) throws DatasetException {
    if (arrays.size() != 1) {
      throw new DatasetException(file, "expected one array, found " + arrays.size());
    }
    return arrays.get(0);
  }

  private static VoxelBatch validate(NDArray x, Path xFile, NDArray y, Path yFile)
      throws DatasetException {
    Shape xs = x.getShape();
    if (xs.dimension() == 4) {
      x = x.expandDims(1);
      xs = x.getShape();
    } else if (xs.dimension() != 5) {
      throw new DatasetException(
          xFile, "x must have rank 5 (N,C,D,H,W) or 4 (N,D,H,W), got shape " + xs);
    }
    if (xs.get(2) != xs.get(3) || xs.get(3) != xs.get(4)) {
      throw new DatasetException(xFile, "x grids must be cubic (D = H = W), got shape " + xs);
    }
    if (!x.getDataType().isFloating()) {
      throw new DatasetException(xFile, "x must be a float array, got " + x.getDataType());
    }
    Shape ys = y.getShape();
    if (ys.dimension() != 1) {
      throw new DatasetException(yFile, "y must have rank 1 (N labels), got shape " + ys);
    }
    if (!y.getDataType().isInteger()) {
      throw new DatasetException(yFile, "y must be an integer array, got " + y.getDataType());
    }
    if (ys.get(0) != xs.get(0)) {
      throw new DatasetException(
          yFile, "y has " + ys.get(0) + " labels but x has " + xs.get(0) + " samples");
    }
    float[] data = x.toType(DataType.FLOAT32, false).toFloatArray();
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new DatasetException(
            xFile,
            "x contains "
                + (Float.isNaN(data[i]) ? "NaN" : "an infinite value")
                + " (sample "
                + i / (data.length / xs.get(0))
                + ")");
      }
    }
    long[] raw = y.toType(DataType.INT64, false).toLongArray();
    int[] labels = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] < 0 || raw[i] > Integer.MAX_VALUE) {
        throw new DatasetException(yFile, "label " + raw[i] + " out of range (sample " + i + ")");
      }
      labels[i] = (int) raw[i];
    }
    return new VoxelBatch(data, labels, (int) xs.get(0), (int) xs.get(1), (int) xs.get(2));
  }
}
