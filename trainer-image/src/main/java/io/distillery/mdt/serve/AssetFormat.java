package io.distillery.mdt.serve;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The asset formats of {@code POST /v1/generate}, by their request name. */
public enum AssetFormat {
  PLY("ply", "application/x-ply"),
  OBJ("obj", "model/obj"),
  PNG("png", "image/png"),
  VOXELS("voxels", "application/json");

  private final String name;
  private final String contentType;

  AssetFormat(String name, String contentType) {
    this.name = name;
    this.contentType = contentType;
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
