package io.distillery.mdt.render;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Independent checks of a polygon surface read back from a file: every edge is walked as often in
 * one direction as in the other (consistent winding, no holes), and the signed volume by the
 * divergence theorem, which is positive only when the faces wind counter-clockwise from outside.
 */
final class SurfaceCheck {
  private SurfaceCheck() {}

  /** Directed edges (by position) whose reverse is walked a different number of times. */
  static int unbalancedEdges(float[] positions, List<int[]> polygons) {
    Map<String, Integer> walks = new HashMap<>();
    for (int[] poly : polygons) {
      for (int i = 0; i < poly.length; i++) {
        String from = key(positions, poly[i]);
        String to = key(positions, poly[(i + 1) % poly.length]);
        walks.merge(from + ">" + to, 1, Integer::sum);
      }
    }
    int unbalanced = 0;
    for (Map.Entry<String, Integer> e : walks.entrySet()) {
      String[] ends = e.getKey().split(">");
      if (!e.getValue().equals(walks.getOrDefault(ends[1] + ">" + ends[0], 0))) {
        unbalanced++;
      }
    }
    return unbalanced;
  }

  /** The enclosed volume: sum over fan triangles of det(a, b, c) / 6. */
  static double signedVolume(float[] p, List<int[]> polygons) {
    double sum = 0;
    for (int[] poly : polygons) {
      for (int i = 1; i + 1 < poly.length; i++) {
        int a = 3 * poly[0];
        int b = 3 * poly[i];
        int c = 3 * poly[i + 1];
        sum +=
            p[a] * ((double) p[b + 1] * p[c + 2] - (double) p[b + 2] * p[c + 1])
                - p[a + 1] * ((double) p[b] * p[c + 2] - (double) p[b + 2] * p[c])
                + p[a + 2] * ((double) p[b] * p[c + 1] - (double) p[b + 1] * p[c]);
      }
    }
    return sum / 6;
  }

  private static String key(float[] p, int i) {
    return p[3 * i] + "," + p[3 * i + 1] + "," + p[3 * i + 2];
  }
}
