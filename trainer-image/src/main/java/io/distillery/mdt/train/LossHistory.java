package io.distillery.mdt.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loss values per step, kept in checkpoints so a resumed run plots its whole curve. */
public final class LossHistory {
  public List<Long> steps = new ArrayList<>();
  public Map<String, List<Double>> values = new LinkedHashMap<>();

  public void add(long step, Map<String, Double> losses) {
    steps.add(step);
    losses.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  /** The most recent value of each loss. */
  public Map<String, Double> last() {
    Map<String, Double> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, v.isEmpty() ? Double.NaN : v.get(v.size() - 1)));
    return out;
  }

  /** Mean of each loss over the last {@code n} steps (a less noisy summary than the last step). */
  public Map<String, Double> recentMean(int n) {
    Map<String, Double> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          int from = Math.max(0, v.size() - n);
          out.put(
              k,
              v.subList(from, v.size()).stream().mapToDouble(d -> d).average().orElse(Double.NaN));
        });
    return out;
  }
}
