package io.distillery.mdt.render;

import io.distillery.mdt.data.VoxelBatch;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side picture of a comparison ({@code samples.png}): one row per model and step count,
 * labelled at the left ("teacher 25", "MDT 1"), one or two columns per class, labelled by class
 * name at the top, under a title. Column {@code j} shows the same sample index in every row, so
 * with {@code bench.Generation}'s seeding (sample {@code k}: class {@code k mod numClasses}, noise
 * of seed {@code seed + k}) a column is one noise and one condition across all models.
 *
 * <p>{@link #layout} computes where everything goes (tested); {@link #render} only paints it.
 */
public final class SampleGrid {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Most columns drawn; with more classes than this the first ones are shown. */
  public static final int MAX_COLUMNS = 24;

  /** Samples a row keeps: enough for two columns of every class up to {@link #MAX_COLUMNS}. */
  static final int KEEP = 2 * MAX_COLUMNS;

  static final int CELL = 104;
  static final int MARGIN = 16;
  static final int TITLE_HEIGHT = 52;
  static final int HEADER_HEIGHT = 26;
  static final int ROW_LABEL_WIDTH = 116;

  private static final Color BACKGROUND = new Color(246, 246, 242);
  private static final Color CELL_BACKGROUND = Color.WHITE;
  private static final Color GRID_LINE = new Color(222, 222, 216);
  private static final Color TEXT = new Color(40, 40, 40);
  private static final Color SUBTLE = new Color(110, 110, 110);
  private static final Color VOXEL = new Color(70, 130, 180);

  private SampleGrid() {}

  /**
   * One model at one step count: the first samples it generated, by sample index.
   *
   * @param label shown at the left of the row, e.g. {@code "teacher 25"}
   * @param occupancies sample {@code k}'s grid at index {@code k}
   * @param classes sample {@code k}'s class at index {@code k}
   */
  public record Row(String label, List<float[]> occupancies, int[] classes, int resolution) {
    public Row {
      occupancies = List.copyOf(occupancies);
      classes = classes.clone();
      if (classes.length != occupancies.size()) {
        throw new IllegalArgumentException(
            classes.length + " classes for " + occupancies.size() + " samples");
      }
    }
  }

  /** A row for {@code method} (teacher, cm, mdt, ...) at {@code steps}, from its samples. */
  public static Row row(String method, int steps, VoxelBatch generated) {
    int n = Math.min(KEEP, generated.count());
    List<float[]> occ = new ArrayList<>(n);
    int[] classes = new int[n];
    for (int k = 0; k < n; k++) {
      occ.add(generated.occupancy(k));
      classes[k] = generated.labels()[k];
    }
    return new Row(rowLabel(method, steps), occ, classes, generated.resolution());
  }

  /**
   * The column names: {@code names} when it names every one of {@code numClasses} classes,
   * otherwise {@code "class 0"}, {@code "class 1"}, ... (never guessed).
   */
  public static List<String> classNames(List<String> names, int numClasses) {
    if (names != null && names.size() == numClasses) {
      return List.copyOf(names);
    }
    List<String> generic = new ArrayList<>(numClasses);
    for (int k = 0; k < numClasses; k++) {
      generic.add("class " + k);
    }
    return generic;
  }

  /** {@code "teacher 25"}, {@code "CM 1"}, {@code "MDT-VM 2"}: student methods in capitals. */
  public static String rowLabel(String method, int steps) {
    String m = method.equals("teacher") ? method : method.toUpperCase(Locale.ROOT);
    return m + " " + steps;
  }

  /** One column: the sample index it shows in every row, and its class. */
  public record Column(int sample, int classIndex, String className) {}

  /** A class name over its group of adjacent columns. */
  public record Header(String className, int firstColumn, int columnCount) {}

  /** Where everything goes; sizes in pixels. */
  public record Layout(
      String title,
      List<String> rowLabels,
      List<Column> columns,
      List<Header> headers,
      int cell,
      int width,
      int height) {
    int gridLeft() {
      return MARGIN + ROW_LABEL_WIDTH;
    }

    int gridTop() {
      return MARGIN + TITLE_HEIGHT + HEADER_HEIGHT;
    }

    /** The picture of row {@code row}, column {@code column}. */
    public Rectangle cell(int row, int column) {
      return new Rectangle(gridLeft() + column * cell, gridTop() + row * cell, cell, cell);
    }

    /** The label box left of row {@code row}. */
    public Rectangle rowLabel(int row) {
      return new Rectangle(MARGIN, gridTop() + row * cell, ROW_LABEL_WIDTH, cell);
    }

    /** The class-name box over the columns of {@code headers().get(i)}. */
    public Rectangle header(int i) {
      Header h = headers.get(i);
      return new Rectangle(
          gridLeft() + h.firstColumn() * cell,
          MARGIN + TITLE_HEIGHT,
          h.columnCount() * cell,
          HEADER_HEIGHT);
    }
  }

  /**
   * The layout for {@code rows} over {@code classNames}: two columns per class when every row has
   * two samples of each shown class (one otherwise), classes in their index order, at most {@link
   * #MAX_COLUMNS} columns. The samples of a column are chosen by class from the first row's classes
   * (the {@code c}-th sample of class {@code k}), so all rows must share those classes.
   */
  public static Layout layout(String title, List<Row> rows, List<String> classNames) {
    if (rows.isEmpty() || classNames.isEmpty()) {
      throw new IllegalArgumentException("need rows and class names");
    }
    int[] classes = rows.get(0).classes();
    for (Row r : rows) {
      for (int k = 0; k < Math.min(classes.length, r.classes().length); k++) {
        if (r.classes()[k] != classes[k]) {
          throw new IllegalArgumentException(
              "row '"
                  + r.label()
                  + "' has class "
                  + r.classes()[k]
                  + " at sample "
                  + k
                  + ", the first row "
                  + classes[k]
                  + ": columns would not line up");
        }
      }
    }
    int shownClasses = Math.min(classNames.size(), MAX_COLUMNS);
    int perClass = shownClasses * 2 <= MAX_COLUMNS ? 2 : 1;
    int fewest = rows.stream().mapToInt(r -> r.classes().length).min().orElse(0);
    for (int k = 0; k < shownClasses && perClass == 2; k++) {
      if (nth(classes, fewest, k, 1) < 0) {
        perClass = 1;
      }
    }
    List<Column> columns = new ArrayList<>();
    List<Header> headers = new ArrayList<>();
    for (int k = 0; k < shownClasses; k++) {
      int first = columns.size();
      for (int c = 0; c < perClass; c++) {
        int sample = nth(classes, classes.length, k, c);
        if (sample >= 0) {
          columns.add(new Column(sample, k, classNames.get(k)));
        }
      }
      if (columns.size() > first) {
        headers.add(new Header(classNames.get(k), first, columns.size() - first));
      }
    }
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("no sample of any class " + classNames);
    }
    int width = 2 * MARGIN + ROW_LABEL_WIDTH + columns.size() * CELL;
    int height = 2 * MARGIN + TITLE_HEIGHT + HEADER_HEIGHT + rows.size() * CELL;
    return new Layout(
        title, rows.stream().map(Row::label).toList(), columns, headers, CELL, width, height);
  }

  /** Index of the {@code c}-th sample of class {@code k} among the first {@code n}, or -1. */
  private static int nth(int[] classes, int n, int k, int c) {
    int seen = 0;
    for (int i = 0; i < n; i++) {
      if (classes[i] == k && seen++ == c) {
        return i;
      }
    }
    return -1;
  }

  /** Paints the grid. */
  public static BufferedImage render(String title, List<Row> rows, List<String> classNames) {
    Layout l = layout(title, rows, classNames);
    BufferedImage img = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, l.width(), l.height());

      g.setColor(TEXT);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(title, MARGIN, MARGIN + 20);
      g.setColor(SUBTLE);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(
          "Rows: model and sampling steps. Columns: class; each column starts from the same noise"
              + " and condition in every row.",
          MARGIN,
          MARGIN + 42);

      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < l.headers().size(); i++) {
        Rectangle b = l.header(i);
        g.setColor(i % 2 == 0 ? new Color(232, 236, 242) : new Color(240, 240, 236));
        g.fillRect(b.x, b.y, b.width, b.height);
        g.setColor(TEXT);
        centred(g, fm, l.headers().get(i).className(), b);
      }

      for (int r = 0; r < rows.size(); r++) {
        Rectangle b = l.rowLabel(r);
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        String label = rows.get(r).label();
        int cut = label.lastIndexOf(' ');
        String name = cut > 0 ? label.substring(0, cut) : label;
        String steps = cut > 0 ? label.substring(cut + 1) : "";
        FontMetrics big = g.getFontMetrics();
        int mid = b.y + b.height / 2;
        g.drawString(fit(name, big, b.width - 8), b.x, mid - 2);
        if (!steps.isEmpty()) {
          g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
          g.setColor(SUBTLE);
          g.drawString(
              steps + (steps.equals("1") ? " step" : " steps"),
              b.x,
              mid + g.getFontMetrics().getAscent() + 2);
        }
        Row row = rows.get(r);
        for (int c = 0; c < l.columns().size(); c++) {
          Rectangle cell = l.cell(r, c);
          g.setColor(CELL_BACKGROUND);
          g.fillRect(cell.x, cell.y, cell.width, cell.height);
          int sample = l.columns().get(c).sample();
          if (sample < row.occupancies().size()) {
            PreviewRenderer.draw(
                g,
                row.occupancies().get(sample),
                row.resolution(),
                cell.x + 2,
                cell.y + 2,
                cell.width - 4,
                cell.height - 4,
                VOXEL);
          }
        }
      }

      g.setColor(GRID_LINE);
      int left = l.gridLeft();
      int top = l.gridTop();
      int right = left + l.columns().size() * l.cell();
      int bottom = top + rows.size() * l.cell();
      for (int c = 0; c <= l.columns().size(); c++) {
        int x = left + c * l.cell();
        g.drawLine(x, top, x, bottom);
      }
      for (int r = 0; r <= rows.size(); r++) {
        int y = top + r * l.cell();
        g.drawLine(left, y, right, y);
      }
      // Darker lines between class groups.
      g.setColor(new Color(180, 180, 172));
      for (Header h : l.headers()) {
        int x = left + h.firstColumn() * l.cell();
        g.drawLine(x, top - HEADER_HEIGHT, x, bottom);
      }
      g.drawLine(right, top - HEADER_HEIGHT, right, bottom);
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Renders and writes {@code file} as PNG. */
  public static void write(Path file, String title, List<Row> rows, List<String> classNames)
      throws IOException {
    PreviewRenderer.writePng(render(title, rows, classNames), file);
  }

  private static void centred(Graphics2D g, FontMetrics fm, String text, Rectangle b) {
    String s = fit(text, fm, b.width - 6);
    g.drawString(
        s,
        b.x + (b.width - fm.stringWidth(s)) / 2,
        b.y + (b.height - fm.getHeight()) / 2 + fm.getAscent());
  }

  private static String fit(String label, FontMetrics fm, int width) {
    String s = label;
    while (s.length() > 1 && fm.stringWidth(s) > width) {
      s = s.substring(0, s.length() - 1);
    }
    return s.equals(label) ? s : s.substring(0, Math.max(1, s.length() - 1)) + "…";
  }
}
