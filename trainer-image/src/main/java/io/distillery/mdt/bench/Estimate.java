package io.distillery.mdt.bench;

import java.util.Locale;

/**
 * A point estimate and its 95% interval {@code [lo, hi]} (see {@link Bootstrap}).
 *
 * @param mean the estimate: the mean over training and evaluation seeds of the full-sample metric
 */
public record Estimate(double mean, double lo, double hi) {
  /** {@code 12.3 [10.1, 14.0]} with the given number format. */
  public String format(String number) {
    return String.format(Locale.ROOT, number + " [" + number + ", " + number + "]", mean, lo, hi);
  }

  /** As {@link #format} with every value multiplied by 100 and a percent sign after the mean. */
  public String percent() {
    return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * mean, 100 * lo, 100 * hi);
  }
}
