package io.distillery.mdt.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Renders occupancy grids as shaded isometric cubes with java.awt, headless (no display needed: the
 * class sets {@code java.awt.headless=true} unless told otherwise). Cubes are drawn back to front
 * (painter's algorithm by x + y + z), showing their +x, +y (top) and +z faces in three shades. Grid
 * layout {@code (x * R + y) * R + z}, y up, value > 0.5 is filled. With per-voxel colours (see
 * {@link ColouredVoxelMesh#of}) each cube is shaded from its own colour instead of the default one.
 */
public final class PreviewRenderer {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final double COS30 = Math.cos(Math.PI / 6);
  private static final double SIN30 = 0.5;
  private static final Color BACKGROUND = Color.WHITE;
  private static final Color DEFAULT_COLOR = new Color(70, 130, 180);
  private static final int LABEL_HEIGHT = 18;

  private PreviewRenderer() {}

  /** One grid in a {@code width} x {@code height} image. */
  public static BufferedImage render(float[] occupancy, int resolution, int width, int height) {
    return render(occupancy, null, resolution, width, height);
  }

  /** One grid with per-voxel {@code colours} (3 * R^3 values in [-1, 1]; null: the default). */
  public static BufferedImage render(
      float[] occupancy, float[] colours, int resolution, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, width, height);
      draw(g, occupancy, colours, resolution, 0, 0, width, height, DEFAULT_COLOR);
    } finally {
      g.dispose();
    }
    return img;
  }

  /**
   * A contact sheet: grids in rows of {@code columns} cells of {@code cell} pixels, each with its
   * label (may be null or shorter than the grids) below.
   */
  public static BufferedImage sheet(
      List<float[]> grids, int resolution, List<String> labels, int columns, int cell) {
    return sheet(grids, null, resolution, labels, columns, cell);
  }

  /**
   * A contact sheet of coloured grids: {@code colours} holds one colour array per grid (see {@link
   * #render(float[], float[], int, int, int)}), or is null for the default colour.
   */
  public static BufferedImage sheet(
      List<float[]> grids,
      List<float[]> colours,
      int resolution,
      List<String> labels,
      int columns,
      int cell) {
    if (grids.isEmpty() || columns < 1 || cell < 8) {
      throw new IllegalArgumentException("need grids, columns >= 1 and cells of >= 8 pixels");
    }
    if (colours != null && colours.size() != grids.size()) {
      throw new IllegalArgumentException(
          colours.size() + " colour arrays for " + grids.size() + " grids");
    }
    int rows = (grids.size() + columns - 1) / columns;
    int cols = Math.min(columns, grids.size());
    int cellHeight = cell + LABEL_HEIGHT;
    BufferedImage img =
        new BufferedImage(cols * cell, rows * cellHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < grids.size(); i++) {
        int x0 = (i % columns) * cell;
        int y0 = (i / columns) * cellHeight;
        float[] c = colours == null ? null : colours.get(i);
        draw(g, grids.get(i), c, resolution, x0, y0, cell, cell, DEFAULT_COLOR);
        String label = labels != null && i < labels.size() ? labels.get(i) : null;
        if (label != null) {
          g.setColor(Color.DARK_GRAY);
          String text = fit(label, fm, cell - 4);
          g.drawString(
              text, x0 + (cell - fm.stringWidth(text)) / 2, y0 + cell + fm.getAscent() + 1);
        }
      }
      g.setColor(new Color(225, 225, 225));
      for (int c = 1; c < cols; c++) {
        g.drawLine(c * cell, 0, c * cell, img.getHeight());
      }
      for (int r = 1; r < rows; r++) {
        g.drawLine(0, r * cellHeight, img.getWidth(), r * cellHeight);
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Writes an image as PNG, creating parent directories. */
  public static void writePng(BufferedImage img, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available for " + file);
    }
  }

  private static String fit(String label, FontMetrics fm, int width) {
    String s = label;
    while (s.length() > 1 && fm.stringWidth(s) > width) {
      s = s.substring(0, s.length() - 1);
    }
    return s.equals(label) ? s : s.substring(0, Math.max(1, s.length() - 1)) + "…";
  }

  /**
   * Draws one grid into the box {@code (x0, y0, w, h)}: a floor outline, the shadow of the shape
   * straight down on the floor, then the visible cubes back to front. Each face has its own shade
   * (top lightest, +z darkest) and is darkened where filled neighbours crowd it (a cheap ambient
   * occlusion), so creases, holes and the parts of a shape read in depth at small sizes.
   */
  static void draw(Graphics2D g, float[] occ, int r, int x0, int y0, int w, int h, Color base) {
    draw(g, occ, null, r, x0, y0, w, h, base);
  }

  /** As above, each cube in its voxel's colour from {@code colours}, or in {@code base} if null. */
  static void draw(
      Graphics2D g, float[] occ, float[] colours, int r, int x0, int y0, int w, int h, Color base) {
    if (occ.length != r * r * r) {
      throw new IllegalArgumentException(
          "occupancy has " + occ.length + " values, not " + r + "^3");
    }
    if (colours != null) {
      VoxelColours.check(colours, r);
    }
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    double scale = 0.92 * Math.min(w / (2 * r * COS30), h / (2.0 * r));
    double cx = x0 + w / 2.0;
    double cy = y0 + h / 2.0;
    Projector p =
        (x, y, z) ->
            new double[] {cx + (x - z) * COS30 * scale, cy + ((x + z) * SIN30 - y) * scale};

    // Floor outline for a sense of the grid.
    g.setColor(new Color(215, 215, 215));
    g.setStroke(new BasicStroke(1f));
    g.drawPolygon(poly(p, new int[][] {{0, 0, 0}, {r, 0, 0}, {r, 0, r}, {0, 0, r}}));

    // The shape's footprint on the floor, so a floating or thin part still shows where it is.
    Color shadow = new Color(0, 0, 0, 28);
    for (int x = 0; x < r; x++) {
      for (int z = 0; z < r; z++) {
        for (int y = 0; y < r; y++) {
          if (on(occ, r, x, y, z)) {
            g.setColor(shadow);
            g.fillPolygon(
                poly(p, new int[][] {{x, 0, z}, {x + 1, 0, z}, {x + 1, 0, z + 1}, {x, 0, z + 1}}));
            break;
          }
        }
      }
    }

    List<int[]> cubes = new ArrayList<>();
    for (int x = 0; x < r; x++) {
      for (int y = 0; y < r; y++) {
        for (int z = 0; z < r; z++) {
          if (on(occ, r, x, y, z)
              && (!on(occ, r, x + 1, y, z)
                  || !on(occ, r, x, y + 1, z)
                  || !on(occ, r, x, y, z + 1))) {
            cubes.add(new int[] {x, y, z});
          }
        }
      }
    }
    cubes.sort(Comparator.comparingInt(c -> c[0] + c[1] + c[2]));
    // Outlines only where voxels are big enough for them to help rather than clutter.
    boolean outline = scale >= 5;
    g.setStroke(new BasicStroke(0.6f));
    for (int[] c : cubes) {
      int x = c[0];
      int y = c[1];
      int z = c[2];
      Color side =
          colours == null ? base : new Color(VoxelColours.rgb(colours, r, (x * r + y) * r + z));
      Color top = shade(side, 1.45);
      Color front = shade(side, 0.68);
      face(
          g,
          p,
          occluded(top, crowd(occ, r, x, y + 1, z, 0, 2)),
          outline,
          new int[][] {{x, y + 1, z}, {x + 1, y + 1, z}, {x + 1, y + 1, z + 1}, {x, y + 1, z + 1}});
      face(
          g,
          p,
          occluded(side, crowd(occ, r, x + 1, y, z, 1, 2)),
          outline,
          new int[][] {{x + 1, y, z}, {x + 1, y + 1, z}, {x + 1, y + 1, z + 1}, {x + 1, y, z + 1}});
      face(
          g,
          p,
          occluded(front, crowd(occ, r, x, y, z + 1, 0, 1)),
          outline,
          new int[][] {{x, y, z + 1}, {x + 1, y, z + 1}, {x + 1, y + 1, z + 1}, {x, y + 1, z + 1}});
    }
  }

  /**
   * Filled voxels among the four in-plane neighbours of the cell {@code (x, y, z)} in front of a
   * face, the plane spanned by axes {@code a} and {@code b} (0 = x, 1 = y, 2 = z).
   */
  private static int crowd(float[] occ, int r, int x, int y, int z, int a, int b) {
    int n = 0;
    for (int axis : new int[] {a, b}) {
      for (int d = -1; d <= 1; d += 2) {
        int[] q = {x, y, z};
        q[axis] += d;
        if (on(occ, r, q[0], q[1], q[2])) {
          n++;
        }
      }
    }
    return n;
  }

  private static Color occluded(Color c, int crowd) {
    return crowd == 0 ? c : shade(c, 1 - 0.09 * crowd);
  }

  private interface Projector {
    double[] at(double x, double y, double z);
  }

  private static void face(
      Graphics2D g, Projector p, Color fill, boolean outline, int[][] corners) {
    Polygon poly = poly(p, corners);
    g.setColor(fill);
    g.fillPolygon(poly);
    // Drawing the border in the fill colour closes anti-aliasing seams between faces.
    g.setColor(outline ? shade(fill, 0.8) : fill);
    g.drawPolygon(poly);
  }

  private static Polygon poly(Projector p, int[][] corners) {
    Polygon poly = new Polygon();
    for (int[] c : corners) {
      double[] s = p.at(c[0], c[1], c[2]);
      poly.addPoint((int) Math.round(s[0]), (int) Math.round(s[1]));
    }
    return poly;
  }

  private static boolean on(float[] occ, int r, int x, int y, int z) {
    return x >= 0 && y >= 0 && z >= 0 && x < r && y < r && z < r && occ[(x * r + y) * r + z] > 0.5f;
  }

  private static Color shade(Color c, double f) {
    return new Color(
        (int) Math.min(255, c.getRed() * f),
        (int) Math.min(255, c.getGreen() * f),
        (int) Math.min(255, c.getBlue() * f));
  }
}
