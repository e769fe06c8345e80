package io.distillery.mdt.serve;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The asset formats of {@code POST /v1/generate}, by their request name. */
public enum AssetFormat {
  PLY("ply", "application/x-ply"),
  OBJ("obj", "model/obj"),
  /**
   * glTF 2.0 binary: triangles with flat normals, metres, +Y up (what 3D tools and the web read).
   */
  GLB("glb", "model/gltf-binary"),
  PNG("png", "image/png"),
  VOXELS("voxels", "application/json"),
  /** The raw samples, any channel count: NumPy {@code .npz} with x and y, as datasets are. */
  NPZ("npz", "application/octet-stream");

  private final String name;
  private final String contentType;

  AssetFormat(String name, String contentType) {
    this.name = name;
    this.contentType = contentType;
  }

  /** Whether the format reads the samples as occupancy grids (one channel, filled above 0). */
  public boolean needsOccupancy() {
    return this != NPZ;
  }

  /** The name used in requests, metrics labels and file names. */
  public String wireName() {
    return name;
  }

  public String contentType() {
    return contentType;
  }

  /** The format named {@code s}, or null. */
  public static AssetFormat parse(String s) {
    for (AssetFormat f : values()) {
      if (f.name.equals(s.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    return null;
  }

  public static String names() {
    return Arrays.stream(values()).map(f -> f.name).collect(Collectors.joining(", "));
  }
}
