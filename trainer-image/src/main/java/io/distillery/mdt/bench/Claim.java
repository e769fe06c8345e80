package io.distillery.mdt.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;

/**
 * A claim a comparison checks, judged on a paired statistic of two rows (same training seeds, same
 * evaluation noise; {@link Bootstrap#statistic}): {@code FD(a) / FD(b)} or {@code classAccuracy(a)
 * - classAccuracy(b)}, against a threshold. It is {@code met} when the whole 95% interval is on the
 * claimed side of the threshold, {@code not met} when it is wholly on the other side, and {@code
 * not separated} otherwise.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Claim {
  public static final String MET = "met";
  public static final String NOT_MET = "not met";
  public static final String NOT_SEPARATED = "not separated";
  public static final String NOT_EVALUATED = "not evaluated";

  /** What is compared. */
  public enum Kind {
    /** FD(a) / FD(b), claimed below the threshold. */
    FD_RATIO_BELOW,
    /** classAccuracy(a) - classAccuracy(b), claimed above the threshold. */
    ACCURACY_DIFFERENCE_ABOVE,
    /** appearanceError(a) / appearanceError(b), claimed below the threshold (the second stage). */
    ERROR_RATIO_BELOW,
    /** A measured speedup of row a over row b (no interval: one timing), claimed above. */
    SPEEDUP_ABOVE;

    boolean claimedBelow() {
      return this == FD_RATIO_BELOW || this == ERROR_RATIO_BELOW;
    }
  }

  public String text;
  public String statistic;
  public Kind kind;
  public String a;
  public String b;
  public double threshold;
  public Estimate estimate;
  public String verdict;

  /** Why the claim could not be evaluated (a row without a model), or null. */
  public String why;

  /** A claim on rows {@code a} and {@code b} given as "method steps", e.g. "mdt 1". */
  public static Claim of(String text, Kind kind, String a, String b, double threshold) {
    Claim c = new Claim();
    c.text = text;
    c.kind = kind;
    c.a = a;
    c.b = b;
    c.threshold = threshold;
    c.statistic =
        switch (kind) {
          case FD_RATIO_BELOW -> "FD(" + a + ") / FD(" + b + ")";
          case ACCURACY_DIFFERENCE_ABOVE -> "class accuracy(" + a + ") - class accuracy(" + b + ")";
          case ERROR_RATIO_BELOW -> "appearance error(" + a + ") / appearance error(" + b + ")";
          case SPEEDUP_ABOVE -> "latency(" + b + ") / latency(" + a + ")";
        };
    return c;
  }

  /** The claims of issue 11 for MDT against CM and the teacher at its reference step count. */
  public static List<Claim> standard(int teacherSteps) {
    String t = "teacher " + teacherSteps;
    return List.of(
        of("MDT 1 step FD below CM 1 step", Kind.FD_RATIO_BELOW, "mdt 1", "cm 1", 1.0),
        of("MDT 1 step FD below teacher 1 step", Kind.FD_RATIO_BELOW, "mdt 1", "teacher 1", 1.0),
        of("MDT 1 step FD below teacher 2 steps", Kind.FD_RATIO_BELOW, "mdt 1", "teacher 2", 1.0),
        of(
            "MDT 1 step FD at most 1.5x teacher " + teacherSteps + " steps",
            Kind.FD_RATIO_BELOW,
            "mdt 1",
            t,
            1.5),
        of(
            "MDT 1 step class accuracy within 5 points of teacher " + teacherSteps + " steps",
            Kind.ACCURACY_DIFFERENCE_ABOVE,
            "mdt 1",
            t,
            -0.05),
        of(
            "MDT 2 steps FD at most 1.1x teacher " + teacherSteps + " steps",
            Kind.FD_RATIO_BELOW,
            "mdt 2",
            t,
            1.1));
  }

  /** This claim with its estimate, judged. */
  public Claim judged(Estimate e) {
    estimate = e;
    judge();
    return this;
  }

  /** Sets {@link #verdict} from {@link #estimate}. */
  void judge() {
    if (estimate == null) {
      verdict = NOT_EVALUATED;
      return;
    }
    if (!Double.isFinite(estimate.lo()) || !Double.isFinite(estimate.hi())) {
      verdict = NOT_SEPARATED;
      return;
    }
    boolean below = kind.claimedBelow();
    double claimedSide = below ? estimate.hi() : estimate.lo();
    double otherSide = below ? estimate.lo() : estimate.hi();
    if (below ? claimedSide < threshold : claimedSide > threshold) {
      verdict = MET;
    } else if (below ? otherSide > threshold : otherSide < threshold) {
      verdict = NOT_MET;
    } else {
      verdict = NOT_SEPARATED;
    }
  }

  /** One line: verdict, claim, statistic with its interval and the threshold. */
  public String line() {
    String value =
        estimate == null
            ? "n/a" + (why == null ? "" : " (" + why + ")")
            : kind.claimedBelow()
                ? estimate.format("%.2f")
                : kind == Kind.SPEEDUP_ABOVE
                    ? String.format(Locale.ROOT, "%.1fx (measured once)", estimate.mean())
                    : String.format(
                        Locale.ROOT,
                        "%+.1f [%+.1f, %+.1f] points",
                        100 * estimate.mean(),
                        100 * estimate.lo(),
                        100 * estimate.hi());
    String needs =
        kind.claimedBelow()
            ? String.format(Locale.ROOT, "needs < %.2f", threshold)
            : kind == Kind.SPEEDUP_ABOVE
                ? String.format(Locale.ROOT, "needs > %.1fx", threshold)
                : String.format(Locale.ROOT, "needs > %+.1f points", 100 * threshold);
    return String.format(
        Locale.ROOT, "%-15s %s: %s = %s (%s)", "[" + verdict + "]", text, statistic, value, needs);
  }
}
