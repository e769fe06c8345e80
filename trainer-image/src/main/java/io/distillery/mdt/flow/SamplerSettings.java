package io.distillery.mdt.flow;

/**
 * How a model samples: Euler steps, CFG strength (0 for a student with guidance baked in) and the
 * time-grid rescale.
 */
public record SamplerSettings(int steps, double cfgStrength, double rescaleT) {
  public SamplerSettings {
    if (steps < 1) {
      throw new IllegalArgumentException("sampler steps must be at least 1, got " + steps);
    }
    if (cfgStrength < 0) {
      throw new IllegalArgumentException("cfg strength must not be negative, got " + cfgStrength);
    }
    if (!(rescaleT > 0)) {
      throw new IllegalArgumentException("rescaleT must be positive, got " + rescaleT);
    }
  }

  /** A distilled student: guidance baked in, linear grid. */
  public static SamplerSettings student(int steps) {
    return new SamplerSettings(steps, 0, 1);
  }

  /** Network evaluations per sample. */
  public int nfe() {
    return cfgStrength == 0 ? steps : 2 * steps;
  }
}
