package io.distillery.operator.distillation;

import io.distillery.config.TrainerResult;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/** Maps the trainer's result JSON (termination message) onto status.result. */
final class ResultMapper {
  private ResultMapper() {}

  /**
   * Null when the message is missing, malformed or oversized ({@link TrainerResult#parseOrNull}).
   */
  static ResultStatus from(String terminationMessage, DistillationJob dj) {
    TrainerResult r = TrainerResult.parseOrNull(terminationMessage);
    if (r == null) {
      return null;
    }
    ResultStatus s = new ResultStatus();
    s.artifact = artifactUri(r.artifact, dj);
    s.digest = r.digest;
    s.teacherDigest = r.teacherDigest;
    s.datasetDigest = r.datasetDigest;
    s.datasetUri = inputUri(r.datasetUri, dj);
    s.studentSteps = r.studentSteps;
    if (r.metrics != null && !r.metrics.isEmpty()) {
      s.metrics = new LinkedHashMap<>();
      r.metrics.forEach((k, m) -> s.metrics.put(k, metrics(m)));
    }
    if (r.speedup != null && !r.speedup.isEmpty()) {
      s.speedup = new LinkedHashMap<>();
      r.speedup.forEach(
          (k, v) -> {
            if (v != null && Double.isFinite(v)) {
              s.speedup.put(k, v);
            }
          });
    }
    if (r.gate != null) {
      s.gate = new ResultStatus.GateStatus();
      s.gate.passed = r.gate.passed;
      s.gate.fdRatio = finite(r.gate.fdRatio);
      s.gate.speedup = finite(r.gate.speedup);
      s.gate.maxFdRatio = finite(r.gate.maxFdRatio);
      s.gate.minSpeedup = finite(r.gate.minSpeedup);
      s.gate.pairedError = finite(r.gate.pairedError);
      s.gate.pairedIoU = finite(r.gate.pairedIoU);
      s.gate.maxPairedError = finite(r.gate.maxPairedError);
      s.gate.minPairedIoU = finite(r.gate.minPairedIoU);
      s.gate.reason = r.gate.reason;
    }
    s.features = r.features;
    s.summary = summary(s);
    return s;
  }

  /** The Complete condition's message. */
  static String describe(ResultStatus r) {
    if (r == null) {
      return "the trainer finished, but its termination message held no valid result JSON;"
          + " look for result.json in the output directory";
    }
    StringBuilder sb = new StringBuilder("student written to ").append(r.artifact);
    if (r.digest != null) {
      sb.append(" (").append(r.digest).append(")");
    }
    if (r.summary != null && r.summary.bestSpeedup != null) {
      sb.append(", speedup ").append(r.summary.bestSpeedup);
    }
    if (r.summary != null && r.summary.quality != null) {
      sb.append(", ").append(r.summary.quality);
    }
    return sb.toString();
  }

  /**
   * A path under the output mount becomes {@code pvc://<claim>/<path>}, usable by others; an {@code
   * s3://} URI stays as it is.
   */
  static String artifactUri(String artifact, DistillationJob dj) {
    String mount = DistillationNames.OUTPUT_MOUNT + "/";
    // With an object-storage output the trainer reports the s3:// URI, passed through as is.
    if (artifact != null
        && artifact.startsWith(mount)
        && DistillationNames.outputClaim(dj) != null) {
      return "pvc://"
          + DistillationNames.outputClaim(dj)
          + "/"
          + artifact.substring(mount.length());
    }
    return artifact;
  }

  /**
   * A path the trainer read under a mounted claim becomes {@code pvc://<claim>/<path>} again, as
   * the spec named it.
   */
  static String inputUri(String path, DistillationJob dj) {
    String inputs = DistillationNames.INPUTS_MOUNT + "/";
    if (path != null && path.startsWith(inputs)) {
      return "pvc://" + path.substring(inputs.length());
    }
    return artifactUri(path, dj);
  }

  private static ResultStatus.Summary summary(ResultStatus s) {
    ResultStatus.Summary sum = new ResultStatus.Summary();
    if (s.speedup != null && !s.speedup.isEmpty()) {
      var fewest =
          s.speedup.entrySet().stream()
              .min(Comparator.comparingInt(e -> steps(e.getKey())))
              .orElseThrow();
      sum.bestSpeedup = String.format(Locale.ROOT, "%.1fx@%s", fewest.getValue(), fewest.getKey());
    }
    if (s.gate != null) {
      sum.quality = quality(s.gate);
    }
    return sum.bestSpeedup == null && sum.quality == null ? null : sum;
  }

  /**
   * The figures the quality gates judged, then the verdict: {@code fd 1.08x err 0.12 pass}. The
   * result carries a threshold only for a gate that was set; with none set, the one figure measured
   * (FD ratio, else paired error) still tells how close the student came.
   */
  private static String quality(ResultStatus.GateStatus g) {
    List<String> figures = new ArrayList<>();
    boolean anySet = g.maxFdRatio != null || g.maxPairedError != null || g.minPairedIoU != null;
    if (anySet) {
      if (g.maxFdRatio != null) {
        figures.add(figure("fd %.2fx", g.fdRatio));
      }
      if (g.maxPairedError != null) {
        figures.add(figure("err %.2f", g.pairedError));
      }
      if (g.minPairedIoU != null) {
        figures.add(figure("iou %.2f", g.pairedIoU));
      }
    } else if (g.fdRatio != null) {
      figures.add(figure("fd %.2fx", g.fdRatio));
    } else if (g.pairedError != null) {
      figures.add(figure("err %.2f", g.pairedError));
    } else {
      figures.add("gate");
    }
    figures.add(Boolean.TRUE.equals(g.passed) ? "pass" : "fail");
    return String.join(" ", figures);
  }

  /** A gate whose figure is missing (not measured, or not finite) shows a dash. */
  private static String figure(String format, Double value) {
    return value != null
        ? String.format(Locale.ROOT, format, value)
        : format.substring(0, format.indexOf(' ')) + " -";
  }

  private static int steps(String key) {
    try {
      return Integer.parseInt(key);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static ResultStatus.StepMetrics metrics(TrainerResult.Metrics m) {
    ResultStatus.StepMetrics s = new ResultStatus.StepMetrics();
    if (m != null) {
      s.fd = finite(m.fd);
      s.fdToTeacher = finite(m.fdToTeacher);
      s.classAccuracy = finite(m.classAccuracy);
      s.pairedError = finite(m.pairedError);
      s.pairedMse = finite(m.pairedMse);
      s.pairedCosine = finite(m.pairedCosine);
      s.pairedIoU = finite(m.pairedIoU);
      s.appearanceError = finite(m.appearanceError);
      s.nfe = m.nfe;
      s.latencyMsBatch1 = finite(m.latencyMsBatch1);
      s.throughputPerSec = finite(m.throughputPerSec);
    }
    return s;
  }

  private static Double finite(Double d) {
    return d != null && Double.isFinite(d) ? d : null;
  }
}
