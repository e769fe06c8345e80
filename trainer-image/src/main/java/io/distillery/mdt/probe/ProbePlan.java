package io.distillery.mdt.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which samples a probe asks for: probe {@code i} is class {@code classes[i % m]}; the {@code k}-th
 * probe of class {@code j} has seed {@code base(draw, j) + k}. The canary and the stable model get
 * the {@link Draw#SAME} draw, the stable model also the {@link Draw#OTHER} draw (same classes,
 * other seeds). The bases come from {@code seed} alone, so a probe is reproducible, and lie below
 * 2^52 so that seeds stay exact in any JSON reader.
 */
public final class ProbePlan {
  /** The two draws of seeds. */
  public enum Draw {
    SAME,
    OTHER
  }

  private final List<String> classes;
  private final int probes;
  private final long[][] bases;

  public ProbePlan(List<String> classes, int probes, long seed) {
    if (classes.isEmpty() || probes < 1) {
      throw new IllegalArgumentException("a probe needs a class and at least one sample");
    }
    this.classes = List.copyOf(classes);
    this.probes = probes;
    SplittableRandom random = new SplittableRandom(seed);
    this.bases = new long[Draw.values().length][classes.size()];
    for (long[] draw : bases) {
      for (int j = 0; j < draw.length; j++) {
        draw[j] = random.nextLong(1L << 52);
      }
    }
  }

  public List<String> classes() {
    return classes;
  }

  public int probes() {
    return probes;
  }

  /** Samples of class {@code j}. */
  int samplesOf(int j) {
    return probes / classes.size() + (j < probes % classes.size() ? 1 : 0);
  }

  /**
   * The requests of one draw, class by class, each at most {@code maxCount} samples. Sample k of a
   * class has the same seed whatever {@code maxCount}, so two servers with different limits still
   * answer the same probes.
   */
  public List<ProbeRequest> requests(Draw draw, int maxCount) {
    List<ProbeRequest> out = new ArrayList<>();
    for (int j = 0; j < classes.size(); j++) {
      int n = samplesOf(j);
      for (int k = 0; k < n; k += maxCount) {
        out.add(
            new ProbeRequest(
                classes.get(j), bases[draw.ordinal()][j] + k, Math.min(maxCount, n - k)));
      }
    }
    return out;
  }
}
