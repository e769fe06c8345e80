package io.distillery.mdt.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Loss curves as a PNG line chart (JFreeChart, headless). */
public final class LossPlot {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private LossPlot() {}

  /** One named curve of (step, value) points. */
  public record Series(String name, List<double[]> points) {}

  /**
   * Writes the series to {@code file}. With {@code logScale} the value axis is logarithmic (only
   * positive values are plotted then).
   */
  public static void write(
      Path file, String title, List<Series> series, boolean logScale, int width, int height)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true);
      for (double[] p : s.points()) {
        if (Double.isFinite(p[1]) && (!logScale || p[1] > 0)) {
          xy.add(p[0], p[1]);
        }
      }
      data.addSeries(xy);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, "step", "loss", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    if (logScale) {
      LogAxis axis = new LogAxis("loss (log)");
      axis.setSmallestValue(1e-8);
      plot.setRangeAxis(axis);
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(1.6f));
    }
    plot.setRenderer(renderer);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
  }

  /** Convenience: series given as name -> points, in map order. */
  public static void write(Path file, String title, Map<String, List<double[]>> series)
      throws IOException {
    write(
        file,
        title,
        series.entrySet().stream().map(e -> new Series(e.getKey(), e.getValue())).toList(),
        false,
        800,
        450);
  }
}
