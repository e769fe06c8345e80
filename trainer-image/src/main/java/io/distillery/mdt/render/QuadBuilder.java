package io.distillery.mdt.render;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Collects quads corner by corner, giving corners with equal keys one shared vertex; vertices are
 * numbered in order of first use and carry the tag (e.g. a colour) of that first use.
 */
final class QuadBuilder {
  private final Map<Long, Integer> index = new HashMap<>();
  private float[] vertices = new float[64];
  private int[] tags = new int[16];
  private int[] quads = new int[64];
  private int vertexCount;
  private int cornerCount;

  /** Adds the next quad corner at {@code xyz[at..at+2]}. */
  void corner(long key, int[] xyz, int at, int tag) {
    Integer id = index.get(key);
    if (id == null) {
      id = vertexCount++;
      index.put(key, id);
      if (3 * vertexCount > vertices.length) {
        vertices = Arrays.copyOf(vertices, vertices.length * 2);
      }
      if (id == tags.length) {
        tags = Arrays.copyOf(tags, tags.length * 2);
      }
      tags[id] = tag;
      for (int a = 0; a < 3; a++) {
        vertices[3 * id + a] = xyz[at + a];
      }
    }
    if (cornerCount == quads.length) {
      quads = Arrays.copyOf(quads, quads.length * 2);
    }
    quads[cornerCount++] = id;
  }

  float[] vertices() {
    return Arrays.copyOf(vertices, 3 * vertexCount);
  }

  int[] tags() {
    return Arrays.copyOf(tags, vertexCount);
  }

  int[] quads() {
    return Arrays.copyOf(quads, cornerCount);
  }
}
