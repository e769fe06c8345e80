package io.distillery.mdt.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Renders a {@link LossHistory} as a PNG line chart (headless JFreeChart), one line per loss,
 * smoothed over a short moving window so the trend shows through the per-batch noise. The gradient
 * norm is left out (another scale).
 */
public final class LossCurves {
  private LossCurves() {}

  public static void write(LossHistory history, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection dataset = new XYSeriesCollection();
    int window = Math.max(1, history.steps.size() / 100);
    for (Map.Entry<String, List<Double>> e : history.values.entrySet()) {
      if (e.getKey().equals("gradNorm")) {
        continue;
      }
      XYSeries series = new XYSeries(e.getKey() + (window > 1 ? " (mean of " + window + ")" : ""));
      List<Double> v = e.getValue();
      double sum = 0;
      for (int i = 0; i < v.size(); i++) {
        sum += v.get(i);
        if (i >= window) {
          sum -= v.get(i - window);
        }
        if (Double.isFinite(sum)) {
          series.add(history.steps.get(i).doubleValue(), sum / Math.min(i + 1, window));
        }
      }
      dataset.addSeries(series);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, "step", "loss", dataset, PlotOrientation.VERTICAL, true, false, false);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 800, 450);
  }
}
