package io.distillery.mdt.probe;

import io.distillery.config.CanaryProbeReport;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code mdt probe} as a function: asks the canary's and the stable model's pods for the same
 * probes (classes and seeds; the stable model also for as many at other seeds), and measures what
 * came back ({@link CanaryProbeReport}). It measures only; the operator judges the figures. Any
 * side that cannot be probed makes the report {@link CanaryProbeReport#INCONCLUSIVE}.
 */
public final class CanaryProbe {
  static final String CANARY = "canary";
  static final String STABLE = "stable";

  /** Longest message in a report, so the report stays under {@link CanaryProbeReport#MAX_BYTES}. */
  static final int MAX_MESSAGE = 1024;

  private CanaryProbe() {}

  public static CanaryProbeReport run(ProbeSettings settings) throws IOException {
    CanaryProbeReport report = new CanaryProbeReport();
    report.probes = settings.probes();
    try {
      measure(settings, report);
      report.status = CanaryProbeReport.MEASURED;
    } catch (ProbeFailure e) {
      report.status = CanaryProbeReport.INCONCLUSIVE;
      report.message = e.getMessage();
      // No figure of a half-done probe: the operator must not judge them.
      report.features = null;
      report.distanceRatio = null;
      report.canary = null;
      report.stable = null;
    }
    if (report.message != null && report.message.length() > MAX_MESSAGE) {
      report.message = report.message.substring(0, MAX_MESSAGE - 3) + "...";
    }
    return report;
  }

  private static void measure(ProbeSettings s, CanaryProbeReport report)
      throws ProbeFailure, IOException {
    ProbeClient client = new ProbeClient(s.timeout());
    ServedModel canary = client.model(CANARY, s.canary().get(0));
    ServedModel stable = client.model(STABLE, s.stable().get(0));
    requireOccupancy(CANARY, s.canary().get(0), canary);
    requireOccupancy(STABLE, s.stable().get(0), stable);
    ProbePlan plan = new ProbePlan(classes(s.classes(), canary, stable), s.probes(), s.seed());

    List<ProbeTraffic.Job> jobs = new ArrayList<>();
    List<ProbeRequest> same = plan.requests(ProbePlan.Draw.SAME, canary.maxCount());
    jobs.addAll(roundRobin(CANARY, s.canary(), same, 0));
    List<ProbeRequest> stableSame = plan.requests(ProbePlan.Draw.SAME, stable.maxCount());
    List<ProbeRequest> stableOther = plan.requests(ProbePlan.Draw.OTHER, stable.maxCount());
    jobs.addAll(roundRobin(STABLE, s.stable(), stableSame, 0));
    jobs.addAll(roundRobin(STABLE, s.stable(), stableOther, stableSame.size()));
    List<ProbeAnswer> answers = ProbeTraffic.send(client, jobs);

    SideSamples c = new SideSamples(CANARY);
    SideSamples ss = new SideSamples(STABLE);
    SideSamples so = new SideSamples(STABLE);
    for (int i = 0; i < jobs.size(); i++) {
      SideSamples into = i < same.size() ? c : i < same.size() + stableSame.size() ? ss : so;
      into.add(jobs.get(i).request(), answers.get(i));
    }
    SideSamples stableAll = SideSamples.union(ss, so);
    requireOneDigest(c);
    requireOneDigest(stableAll);
    report.canary = side(c);
    report.stable = side(stableAll);

    boolean judgeCanary = ShippedClassifier.judges(canary) && c.resolution == canary.resolution();
    boolean judgeStable =
        ShippedClassifier.judges(stable) && stableAll.resolution == stable.resolution();
    boolean byClassifier = judgeCanary && judgeStable;
    report.features = byClassifier ? "classifier" : "occupancy";
    List<SideSamples> draws = List.of(c, ss, so);
    List<double[][]> features = new ArrayList<>();
    // Load the classifier (and with it PyTorch) only where it applies.
    try (ShippedClassifier classifier =
        judgeCanary || judgeStable ? ShippedClassifier.load() : null) {
      if (judgeCanary) {
        report.canary.classAccuracy = round(classifier.accuracy(c.grids, c.asked, c.resolution));
      }
      if (judgeStable) {
        report.stable.classAccuracy =
            round(classifier.accuracy(stableAll.grids, stableAll.asked, stableAll.resolution));
      }
      for (SideSamples d : draws) {
        features.add(byClassifier ? classifier.features(d.grids, d.resolution) : occupancy(d));
      }
    }
    double ratio = NearestNeighbourRatio.ratio(features.get(0), features.get(1), features.get(2));
    if (Double.isNaN(ratio)) {
      throw new ProbeFailure(
          "the stable model gave the same output for every seed (no spread to measure the canary"
              + " against) and the canary's outputs differ from it; no distance ratio");
    }
    report.distanceRatio = round(ratio);
    report.message =
        String.format(
            Locale.ROOT,
            "%d probes over %s at each side's default steps: distance ratio %.3f (%s features);"
                + " canary empty %.3f%s; stable empty %.3f%s",
            s.probes(),
            plan.classes(),
            ratio,
            report.features,
            report.canary.emptyRate,
            accuracy(report.canary),
            report.stable.emptyRate,
            accuracy(report.stable));
  }

  private static String accuracy(CanaryProbeReport.Side side) {
    return side.classAccuracy == null
        ? ""
        : String.format(Locale.ROOT, ", class accuracy %.3f", side.classAccuracy);
  }

  private static void requireOccupancy(String side, URI url, ServedModel m) throws ProbeFailure {
    if (!m.occupancy()) {
      throw new ProbeFailure(
          side
              + " "
              + url
              + ": the model's samples have "
              + m.channels()
              + " channels, not an occupancy grid; the probe measures occupancy grids only");
    }
  }

  /** {@code asked} (null: every class both serve, in the canary's order), checked against both. */
  static List<String> classes(List<String> asked, ServedModel canary, ServedModel stable)
      throws ProbeFailure {
    if (asked == null) {
      List<String> common = new ArrayList<>(canary.classes());
      common.retainAll(stable.classes());
      if (common.isEmpty()) {
        throw new ProbeFailure(
            "no class both models serve: the canary serves "
                + canary.classes()
                + ", the stable model "
                + stable.classes());
      }
      return common;
    }
    requireClasses(asked, CANARY, canary);
    requireClasses(asked, STABLE, stable);
    return asked;
  }

  private static void requireClasses(List<String> asked, String side, ServedModel m)
      throws ProbeFailure {
    for (String c : asked) {
      if (!m.classes().contains(c)) {
        throw new ProbeFailure(
            "--classes names '" + c + "', which the " + side + " does not serve " + m.classes());
      }
    }
  }

  /** Request {@code i} goes to {@code urls[(offset + i) % n]}. */
  private static List<ProbeTraffic.Job> roundRobin(
      String side, List<URI> urls, List<ProbeRequest> requests, int offset) {
    List<ProbeTraffic.Job> jobs = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      jobs.add(new ProbeTraffic.Job(side, urls.get((offset + i) % urls.size()), requests.get(i)));
    }
    return jobs;
  }

  private static void requireOneDigest(SideSamples s) throws ProbeFailure {
    if (s.digests.size() != 1) {
      throw new ProbeFailure(s.side + " pods serve different models: " + s.digests);
    }
  }

  private static CanaryProbeReport.Side side(SideSamples s) {
    CanaryProbeReport.Side out = new CanaryProbeReport.Side();
    out.digest = s.digests.iterator().next();
    out.samples = s.grids.size();
    out.emptyRate = round(s.emptyRate());
    return out;
  }

  private static double[][] occupancy(SideSamples s) {
    double[][] f = new double[s.grids.size()][];
    for (int i = 0; i < f.length; i++) {
      f[i] = OccupancyDescriptor.of(s.grids.get(i), s.resolution);
    }
    return f;
  }

  private static double round(double v) {
    return Math.round(v * 10_000.0) / 10_000.0;
  }
}
