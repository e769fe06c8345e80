package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.AnalysisFailure;
import io.distillery.operator.api.v1alpha1.CanaryLatencyStatus;
import io.distillery.operator.api.v1alpha1.CanaryQualityStatus;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutSpec.AnalysisSpec;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus.CanaryStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.Json;
import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The next status from the previous one and an observation: pure apart from reading the canary's
 * readings through the observation. It also takes the canary verdict (promote when every canary pod
 * is ready and the figures of the analysis window, {@link CanaryVerdict}, are within the gates;
 * roll back, or pause with onFailure Pause, otherwise; roll back at the progress deadline unless
 * paused); the status is where the rollout remembers it.
 */
public final class ServingStatusMapper {
  private ServingStatusMapper() {}

  public static StudentDeploymentStatus next(
      StudentDeployment sd, ServingObservation obs, Instant now) {
    StudentDeploymentStatus prev = sd.getStatus();
    StudentDeploymentStatus next = prev == null ? new StudentDeploymentStatus() : Json.copy(prev);
    long gen = sd.getMetadata().getGeneration() == null ? 0 : sd.getMetadata().getGeneration();
    SourceResolution source = obs.source();
    next.conditions =
        Conditions.with(
            next.conditions,
            StudentConditions.SOURCE_READY,
            source.ready(),
            source.reason(),
            source.message(),
            gen,
            now);
    serve(next, obs.plan().stable());
    boolean promoted = judgeCanary(sd, next, obs, now);
    next.conditions = progressing(sd, next, obs, promoted, gen, now);
    next.conditions = available(sd, next, obs, gen, now);
    SelectionStatus.record(next, source.selection());
    next.rollingOut = rollingOutNow(next);
    next.url = StudentNames.url(sd);
    next.observedGeneration = gen;
    next.phase = StudentConditions.phaseOf(next.conditions);
    return next;
  }

  /** Records the model the stable Deployment serves; the one it replaces becomes previous. */
  private static void serve(StudentDeploymentStatus s, ServedModel model) {
    if (model == null) {
      return;
    }
    if (s.currentDigest != null && !s.currentDigest.equals(model.digest())) {
      s.previousDigest = s.currentDigest;
    }
    s.currentModel = model.uri();
    s.currentDigest = model.digest();
    s.currentSource = model.source();
    s.stages = model.stages();
    s.speedup = model.speedup();
    s.model = model.display();
  }

  /** Advances the canary; true when it was promoted just now. */
  private static boolean judgeCanary(
      StudentDeployment sd, StudentDeploymentStatus s, ServingObservation obs, Instant now) {
    ServedModel model = obs.plan().canary();
    if (model == null) {
      if (s.canary != null && live(s.canary)) {
        // The source moved on (or is not ready) before a verdict: the canary was deleted.
        s.canary.state = StudentConditions.CANARY_SUPERSEDED;
        s.canary.message = "superseded before a verdict: " + obs.source().message();
      }
      return false;
    }
    RolloutSpec rollout = sd.getSpec().rolloutOrDefault();
    CanaryStatus c = s.canary;
    if (c == null
        || !model.digest().equals(c.digest)
        || StudentConditions.CANARY_PROMOTED.equals(c.state)
        || StudentConditions.CANARY_ROLLED_BACK.equals(c.state)) {
      c = new CanaryStatus();
      c.state = StudentConditions.CANARY_PROGRESSING;
      c.model = model.uri();
      c.digest = model.digest();
      c.source = model.source();
      c.stages = model.stages();
      c.speedup = model.speedup();
      c.startTime = timestamp(now);
      s.canary = c;
    }
    Deployment d = obs.canary();
    int wanted = d == null ? 0 : d.getSpec().getReplicas();
    c.replicas = wanted;
    c.readyReplicas = readyReplicas(d);
    if (StudentConditions.CANARY_PAUSED.equals(c.state)) {
      return decide(sd, s, c, model);
    }
    var analysis = rollout.analysisOrDefault();
    if (StudentConditions.CANARY_PROGRESSING.equals(c.state)
        && DeploymentProgress.rolledOut(d, model.digest())) {
      Optional<RequestCounts> counts = obs.canaryCounts().get();
      if (counts.isPresent()) {
        c.state = StudentConditions.CANARY_ANALYSING;
        c.analysisStartTime = timestamp(now);
        c.baselineRequests = counts.get().total();
        c.baselineErrors = counts.get().serverErrors();
        c.requests = 0L;
        c.errors = 0L;
        c.errorRate = 0.0;
        startAnalysis(sd, c, analysis, obs);
      }
    }
    if (StudentConditions.CANARY_ANALYSING.equals(c.state)) {
      Optional<RequestCounts> counts = obs.canaryCounts().get();
      if (counts.isPresent()) {
        RequestCounts n = counts.get();
        c.requests = Math.max(0, n.total() - c.baselineRequests);
        c.errors = Math.max(0, n.serverErrors() - c.baselineErrors);
        c.errorRate = c.requests == 0 ? 0.0 : (double) c.errors / c.requests;
      }
      if (c.quality != null && CanaryQualityStatus.RUNNING.equals(c.quality.state)) {
        CanaryQualityStatus quality = c.quality;
        obs.probe().get().ifPresent(o -> CanaryVerdict.record(quality, o));
      }
      boolean windowOver =
          !now.isBefore(Instant.parse(c.analysisStartTime).plusSeconds(analysis.windowOrDefault()));
      if (windowOver) {
        var verdict =
            CanaryVerdict.judge(c, analysis, counts.isPresent(), obs.latency(), now).orElse(null);
        if (verdict != null && verdict.kind() == CanaryVerdict.Kind.PASSED) {
          c.state = StudentConditions.CANARY_PROMOTED;
          c.reason = CanaryVerdict.PASSED;
          c.message =
              String.format(
                  "promoted %s after a %ds window: ready, gate passed, %s",
                  model.display(), analysis.windowOrDefault(), verdict.why());
          serve(s, model);
          return true;
        }
        if (verdict != null) {
          return fail(sd, c, analysis, verdict.reason(), verdict.why());
        }
      }
    }
    if (!now.isBefore(
        Instant.parse(c.startTime).plusSeconds(rollout.progressDeadlineOrDefault()))) {
      c.reason = CanaryVerdict.DEADLINE;
      return rollBack(
          c,
          "canary not promoted within progressDeadlineSeconds ("
              + rollout.progressDeadlineOrDefault()
              + "s), "
              + c.readyReplicas
              + "/"
              + c.replicas
              + " ready");
    }
    return false;
  }

  /** What the window needs from its start: the probe Job's name and the latency baselines. */
  private static void startAnalysis(
      StudentDeployment sd, CanaryStatus c, AnalysisSpec analysis, ServingObservation obs) {
    if (analysis.quality != null) {
      c.quality = new CanaryQualityStatus();
      c.quality.probeJob = ProbeJobs.name(sd, c.digest);
      // The reconciler creates the Job and moves it to Running.
      c.quality.state = CanaryQualityStatus.PENDING;
    }
    if (analysis.maxLatencyRatio != null) {
      c.latency = new CanaryLatencyStatus();
      Optional<CanaryLatency> baseline = obs.latency().get();
      if (baseline.isPresent()) {
        c.latency.canaryBaseline = baseline.get().canary().encode();
        c.latency.stableBaseline = baseline.get().stable().encode();
      } else {
        c.latency.message =
            "latency not judged: the pods' latency histograms could not be read when the window"
                + " began";
      }
    }
  }

  /** A failed or inconclusive verdict: rolled back, or Paused for a person with onFailure Pause. */
  private static boolean fail(
      StudentDeployment sd, CanaryStatus c, AnalysisSpec analysis, String reason, String why) {
    c.reason = reason;
    if (analysis.onFailureOrDefault() == AnalysisFailure.Pause) {
      c.state = StudentConditions.CANARY_PAUSED;
      c.message =
          "paused "
              + c.digest
              + ": "
              + why
              + "; to go on: kubectl annotate studentdeployment "
              + sd.getMetadata().getName()
              + " "
              + CanaryDecision.ANNOTATION
              + "=promote (or =rollback)";
      return false;
    }
    return rollBack(c, why);
  }

  /** A Paused canary waits for a person's decision; nothing else moves it (no deadline). */
  private static boolean decide(
      StudentDeployment sd, StudentDeploymentStatus s, CanaryStatus c, ServedModel model) {
    Optional<CanaryDecision> decision = CanaryDecision.of(sd).filter(CanaryDecision::valid);
    if (decision.isEmpty()) {
      return false;
    }
    String paused = c.message == null ? "" : c.message.replaceFirst("; to go on: .*$", "");
    c.reason = CanaryVerdict.MANUAL;
    if (CanaryDecision.PROMOTE.equals(decision.get().value())) {
      c.state = StudentConditions.CANARY_PROMOTED;
      c.message =
          "promoted " + model.display() + " by " + decision.get().describe() + " after " + paused;
      serve(s, model);
      return true;
    }
    rollBack(c, "by " + decision.get().describe() + " after " + paused);
    return false;
  }

  private static boolean live(CanaryStatus c) {
    return StudentConditions.CANARY_PROGRESSING.equals(c.state)
        || StudentConditions.CANARY_ANALYSING.equals(c.state)
        || StudentConditions.CANARY_PAUSED.equals(c.state);
  }

  private static boolean rollBack(CanaryStatus c, String why) {
    c.state = StudentConditions.CANARY_ROLLED_BACK;
    c.message = "rolled back " + c.digest + ": " + why;
    return false;
  }

  private static java.util.List<io.fabric8.kubernetes.api.model.Condition> progressing(
      StudentDeployment sd,
      StudentDeploymentStatus s,
      ServingObservation obs,
      boolean promoted,
      long gen,
      Instant now) {
    SourceResolution source = obs.source();
    CanaryStatus c = s.canary;
    boolean canaryLive = obs.plan().canary() != null && c != null && live(c);
    boolean rolledBack =
        c != null
            && StudentConditions.CANARY_ROLLED_BACK.equals(c.state)
            && source.ready()
            && c.digest.equals(source.model().digest());
    boolean status;
    String reason;
    String message;
    if (rolledBack) {
      status = false;
      reason = StudentConditions.ROLLED_BACK;
      message = c.message + "; still serving " + s.model;
    } else if (canaryLive && StudentConditions.CANARY_PAUSED.equals(c.state)) {
      // Nothing moves until a person decides; the phase stays Progressing, unfinished.
      status = true;
      reason = StudentConditions.PAUSED;
      message = c.message + "; still serving " + s.model;
    } else if (canaryLive) {
      status = true;
      boolean analysing = StudentConditions.CANARY_ANALYSING.equals(c.state);
      reason = analysing ? StudentConditions.CANARY_ANALYSIS : StudentConditions.CANARY_STARTING;
      message =
          analysing
              ? String.format(
                  "canary %s analysed: %d requests, error rate %.4f",
                  c.digest, c.requests, c.errorRate)
              : "canary "
                  + c.digest
                  + ": "
                  + c.readyReplicas
                  + "/"
                  + c.replicas
                  + " ready"
                  + podProblem(sd, obs, StudentNames.CANARY, c.digest)
                      .map(p -> "; " + p.message())
                      .orElse("");
    } else if (s.currentDigest == null) {
      status = false;
      reason = StudentConditions.WAITING_FOR_SOURCE;
      message = source.message();
    } else if (promoted || rollingOut(sd.getStatus(), obs.stable(), s.currentDigest)) {
      boolean stuck = DeploymentProgress.deadlineExceeded(obs.stable());
      status = !stuck;
      reason =
          stuck ? StudentConditions.PROGRESS_DEADLINE_EXCEEDED : StudentConditions.ROLLING_UPDATE;
      message =
          (stuck ? "rollout past progressDeadlineSeconds: " : "rolling out ")
              + s.model
              + (promoted ? " (" + c.message + ")" : "")
              + podProblem(sd, obs, StudentNames.STABLE, s.currentDigest)
                  .map(p -> "; " + p.message())
                  .orElse("");
    } else if (!source.ready()) {
      status = false;
      reason = StudentConditions.WAITING_FOR_SOURCE;
      message = source.message() + "; still serving " + s.model;
    } else {
      status = false;
      reason = StudentConditions.ROLLOUT_COMPLETE;
      message = "serving " + s.model;
    }
    return Conditions.with(
        s.conditions, StudentConditions.PROGRESSING, status, reason, message, gen, now);
  }

  /**
   * The source being rolled out (the live canary's, or the stable Deployment's new model during its
   * rolling update), by DistillationJob or else by model URI; null when settled.
   */
  private static String rollingOutNow(StudentDeploymentStatus s) {
    if (s.canary != null && live(s.canary)) {
      return s.canary.source != null ? s.canary.source : s.canary.model;
    }
    if (StudentConditions.ROLLING_UPDATE.equals(
        Conditions.reason(s.conditions, StudentConditions.PROGRESSING))) {
      return s.currentSource != null ? s.currentSource : s.currentModel;
    }
    return null;
  }

  /**
   * Whether the stable Deployment is still rolling out {@code digest}. Once it was rolled out, a
   * pod that loses readiness is no new rollout: Progressing stays settled and Available=False makes
   * the phase Degraded (a template change still counts as a rollout).
   */
  private static boolean rollingOut(
      StudentDeploymentStatus prev, Deployment stable, String digest) {
    if (!DeploymentProgress.updated(stable, digest)) {
      return true;
    }
    return !rolledOutBefore(prev, digest) && !DeploymentProgress.rolledOut(stable, digest);
  }

  private static boolean rolledOutBefore(StudentDeploymentStatus prev, String digest) {
    if (prev == null || !Objects.equals(prev.currentDigest, digest)) {
      return false;
    }
    // Both reasons are only reached (with a current model) after its rollout finished.
    String reason = Conditions.reason(prev.conditions, StudentConditions.PROGRESSING);
    return StudentConditions.ROLLOUT_COMPLETE.equals(reason)
        || StudentConditions.WAITING_FOR_SOURCE.equals(reason);
  }

  private static java.util.List<io.fabric8.kubernetes.api.model.Condition> available(
      StudentDeployment sd,
      StudentDeploymentStatus s,
      ServingObservation obs,
      long gen,
      Instant now) {
    Deployment stable = obs.stable();
    int ready = readyReplicas(stable);
    int wanted =
        stable != null && stable.getSpec().getReplicas() != null
            ? stable.getSpec().getReplicas()
            : sd.getSpec().replicasOrDefault();
    s.readyReplicas = ready;
    s.ready = ready + "/" + wanted;
    if (s.currentDigest == null) {
      return Conditions.with(
          s.conditions,
          StudentConditions.AVAILABLE,
          false,
          StudentConditions.NO_MODEL,
          "no model served yet",
          gen,
          now);
    }
    boolean ok = stable != null && ready >= wanted;
    String message = ready + "/" + wanted + " serving pods ready";
    String reason = ok ? StudentConditions.REPLICAS_READY : StudentConditions.REPLICAS_NOT_READY;
    if (!ok) {
      var problem = podProblem(sd, obs, StudentNames.STABLE, s.currentDigest);
      if (problem.isPresent()) {
        reason = problem.get().reason();
        message += "; " + problem.get().message();
      }
    }
    return Conditions.with(
        s.conditions, StudentConditions.AVAILABLE, ok, reason, message, gen, now);
  }

  /** Why pods of {@code track} serving {@code digest} fail to fetch their model or to start. */
  private static Optional<PodProblems.Problem> podProblem(
      StudentDeployment sd, ServingObservation obs, String track, String digest) {
    return PodProblems.of(sd, obs.pods(), track, digest);
  }

  static int readyReplicas(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
        ? 0
        : d.getStatus().getReadyReplicas();
  }

  private static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Whether a Deployment finished rolling out a model, or got stuck doing so. */
  static final class DeploymentProgress {
    private DeploymentProgress() {}

    static boolean rolledOut(Deployment d, String digest) {
      return updated(d, digest) && orZero(d.getStatus().getReadyReplicas()) >= wanted(d);
    }

    /** Every pod runs the current template, which serves {@code digest}; ready or not. */
    static boolean updated(Deployment d, String digest) {
      if (d == null || d.getStatus() == null) {
        return false;
      }
      String served =
          d.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.MODEL_DIGEST);
      var st = d.getStatus();
      return Objects.equals(served, digest)
          && st.getObservedGeneration() != null
          && st.getObservedGeneration() >= d.getMetadata().getGeneration()
          && orZero(st.getUpdatedReplicas()) >= wanted(d)
          && orZero(st.getReplicas()) <= orZero(st.getUpdatedReplicas());
    }

    private static int wanted(Deployment d) {
      return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    static boolean deadlineExceeded(Deployment d) {
      return d != null
          && d.getStatus() != null
          && d.getStatus().getConditions() != null
          && d.getStatus().getConditions().stream()
              .anyMatch(
                  c ->
                      "Progressing".equals(c.getType())
                          && "False".equals(c.getStatus())
                          && "ProgressDeadlineExceeded".equals(c.getReason()));
    }

    private static int orZero(Integer i) {
      return i == null ? 0 : i;
    }
  }
}
