package io.distillery.operator.distillation;

import io.distillery.config.TrainerProgress;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ProgressStatus;
import io.distillery.operator.common.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the trainer's {@code /progress} answer into status.progress. An unreachable trainer keeps
 * the last snapshot, marked stale; a snapshot the trainer stopped updating is stale too. Values
 * that JSON cannot carry (NaN, infinity) are dropped rather than breaking the status patch.
 */
final class ProgressMapper {
  private ProgressMapper() {}

  static ProgressStatus next(
      DistillationJobStatus prev,
      Phase phase,
      TrainerObservation.ProgressReading reading,
      Instant now,
      Duration staleAfter) {
    ProgressStatus before = prev == null ? null : prev.progress;
    if (phase == Phase.Succeeded) {
      ProgressStatus done = before == null ? new ProgressStatus() : Json.copy(before);
      done.percent = 100;
      done.stale = null;
      done.display = "100%";
      return done;
    }
    // Without a snapshot yet, say why the PROGRESS column has no percent.
    boolean training = phase == Phase.Running || phase == Phase.Evaluating;
    if (!training && before != null && before.percent == null) {
      before = null; // a placeholder only explains a trainer that should be answering
    }
    boolean snapshot = before != null && before.percent != null;
    if (reading == null) {
      return before == null && training ? placeholder("no progress yet") : before;
    }
    if (reading.progress() == null) {
      if (!snapshot) {
        return training ? placeholder("unreachable") : before;
      }
      ProgressStatus stale = Json.copy(before);
      stale.stale = true;
      stale.display = display(stale);
      return stale;
    }
    return fromTrainer(reading.progress(), now, staleAfter);
  }

  static ProgressStatus fromTrainer(TrainerProgress p, Instant now, Duration staleAfter) {
    ProgressStatus s = new ProgressStatus();
    s.trainerPhase = p.phase;
    s.step = Math.max(0, p.step);
    s.maxSteps = Math.max(0, p.maxSteps);
    double percent = p.percent;
    if (!Double.isFinite(percent) || percent <= 0) {
      percent = s.maxSteps > 0 ? 100.0 * s.step / s.maxSteps : 0;
    }
    s.percent = (int) Math.max(0, Math.min(100, Math.floor(percent)));
    Map<String, Double> losses = new LinkedHashMap<>();
    if (p.losses != null) {
      p.losses.forEach(
          (k, v) -> {
            if (k != null && v != null && Double.isFinite(v) && losses.size() < 16) {
              losses.put(k.length() > 32 ? k.substring(0, 32) : k, v);
            }
          });
    }
    s.losses = losses.isEmpty() ? null : losses;
    s.samplesPerSec = finite(p.samplesPerSec);
    Double eta = finite(p.etaSeconds);
    s.etaSeconds = eta == null || eta < 0 ? null : Math.round(eta);
    if (p.updatedAtMillis > 0) {
      Instant updated = Instant.ofEpochMilli(p.updatedAtMillis);
      s.updatedAt = updated.truncatedTo(ChronoUnit.SECONDS).toString();
      s.stale = Duration.between(updated, now).compareTo(staleAfter) > 0 ? true : null;
    }
    s.display = display(s);
    return s;
  }

  private static ProgressStatus placeholder(String display) {
    ProgressStatus s = new ProgressStatus();
    s.display = display;
    return s;
  }

  private static String display(ProgressStatus s) {
    String text = (s.percent == null ? 0 : s.percent) + "%";
    return Boolean.TRUE.equals(s.stale) ? text + " (stale)" : text;
  }

  private static Double finite(Double d) {
    return d != null && Double.isFinite(d) ? d : null;
  }
}
