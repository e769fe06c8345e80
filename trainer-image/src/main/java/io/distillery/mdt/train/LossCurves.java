package io.distillery.mdt.train;

import io.distillery.mdt.render.LossPlot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plots a {@link LossHistory} with {@link LossPlot}: one line per loss, each point the mean of a
 * short window so the trend shows through the per-batch noise. The gradient norm is left out
 * (another scale).
 */
public final class LossCurves {
  private LossCurves() {}

  public static void write(LossHistory history, String title, Path png) throws IOException {
    int window = Math.max(1, history.steps.size() / 100);
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    for (Map.Entry<String, List<Double>> e : history.values.entrySet()) {
      if (e.getKey().equals("gradNorm")) {
        continue;
      }
      List<Double> v = e.getValue();
      List<double[]> points = new ArrayList<>();
      double sum = 0;
      for (int i = 0; i < v.size(); i++) {
        sum += v.get(i);
        if (i >= window) {
          sum -= v.get(i - window);
        }
        points.add(new double[] {history.steps.get(i), sum / Math.min(i + 1, window)});
      }
      series.put(window > 1 ? e.getKey() + " (mean of " + window + " steps)" : e.getKey(), points);
    }
    LossPlot.write(png, title, series);
  }
}
