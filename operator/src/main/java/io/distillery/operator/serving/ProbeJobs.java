package io.distillery.operator.serving;

import io.distillery.config.CanaryProbeReport;
import io.distillery.operator.api.v1alpha1.CanaryQualitySpec;
import io.distillery.operator.api.v1alpha1.PlacementSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.BoundedGet;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.RestrictedSecurity;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The probe Job of a canary ({@code mdt probe} against the ready canary and stable pods) and the
 * outcome its pod leaves in its termination message. Its pods carry {@code component=probe} and
 * {@link Labels#PROBE_OF}, never the serving labels, so the Service does not send users to them.
 */
public final class ProbeJobs {
  public static final String COMPONENT = "probe";
  public static final String CONTAINER = "probe";
  static final String SELECTOR = Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + COMPONENT;
  static final String REPORT_PATH = "/dev/termination-log";
  static final Quantity DEFAULT_CPU = new Quantity("500m");
  static final Quantity DEFAULT_MEMORY = new Quantity("1536Mi");

  /** A finished Job stays this long for people to read its pod's log, then goes. */
  static final int TTL_SECONDS = 600;

  private ProbeJobs() {}

  /** {@code <name>-probe-<first 8 hex of the canary digest>} (a Job name fits a label value). */
  public static String name(StudentDeployment sd, String canaryDigest) {
    String name = sd.getMetadata().getName();
    String hex = canaryDigest.substring(canaryDigest.indexOf(':') + 1);
    String prefix = name.length() > 48 ? name.substring(0, 48) : name;
    return prefix + "-probe-" + hex.substring(0, Math.min(8, hex.length()));
  }

  public static Map<String, String> labels(StudentDeployment sd) {
    Map<String, String> labels = Labels.standard(sd.getMetadata().getName(), COMPONENT);
    labels.put(Labels.PROBE_OF, sd.getMetadata().getName());
    return labels;
  }

  /** The probe Job; {@code canaryPods} and {@code stablePods} are ready pods with IPs. */
  public static Job job(
      StudentDeployment sd,
      String canaryDigest,
      List<Pod> canaryPods,
      List<Pod> stablePods,
      OperatorSettings settings) {
    var analysis = sd.getSpec().rolloutOrDefault().analysisOrDefault();
    CanaryQualitySpec quality = analysis.quality;
    int window = analysis.windowOrDefault();
    List<String> args = new ArrayList<>(List.of("probe"));
    args.addAll(List.of("--canary", urls(canaryPods), "--stable", urls(stablePods)));
    args.addAll(List.of("--probes", Integer.toString(quality.probesOrDefault())));
    args.addAll(List.of("--seed", Long.toString(quality.seedOrDefault())));
    if (quality.classes != null && !quality.classes.isEmpty()) {
      args.addAll(List.of("--classes", String.join(",", quality.classes)));
    }
    args.addAll(List.of("--timeout", Integer.toString(window)));
    args.addAll(List.of("--report", REPORT_PATH));
    PlacementSpec placement =
        sd.getSpec().placement == null ? new PlacementSpec() : sd.getSpec().placement;
    var r = quality.resources;
    Quantity cpu = r != null && r.cpu != null ? r.cpu : DEFAULT_CPU;
    Quantity memory = r != null && r.memory != null ? r.memory : DEFAULT_MEMORY;
    return new JobBuilder()
        .withNewMetadata()
        .withName(name(sd, canaryDigest))
        .withNamespace(sd.getMetadata().getNamespace())
        .withLabels(labels(sd))
        .addToAnnotations(Labels.MODEL_DIGEST, canaryDigest)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(sd.getApiVersion())
                .withKind(sd.getKind())
                .withName(sd.getMetadata().getName())
                .withUid(sd.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        // The probe stops itself after the window (--timeout) and writes its report; the Job's
        // deadline leaves it the verdict's grace for pod start-up and that write, so a probe that
        // needs the whole window is not killed before it reports.
        .withActiveDeadlineSeconds((long) window + CanaryVerdict.REPORT_GRACE_SECONDS)
        .withTtlSecondsAfterFinished(TTL_SECONDS)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels(sd))
        .addToAnnotations(Labels.MODEL_DIGEST, canaryDigest)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withNodeSelector(placement.nodeSelector)
        .withTolerations(placement.tolerations)
        .withAffinity(placement.affinity)
        .withPriorityClassName(placement.priorityClassName)
        .withSecurityContext(RestrictedSecurity.pod())
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(sd.getSpec().image != null ? sd.getSpec().image : settings.trainerImage())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withArgs(args)
        .addNewEnv()
        .withName("TMPDIR")
        .withValue("/tmp")
        .endEnv()
        // CPU only: the probe compares answers, the serving pods do the generating.
        .withResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", cpu)
                .addToRequests("memory", memory)
                .addToLimits("memory", memory)
                .build())
        .withTerminationMessagePath(REPORT_PATH)
        .withTerminationMessagePolicy("File")
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .withSecurityContext(RestrictedSecurity.readOnlyContainer())
        .endContainer()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  static String urls(List<Pod> pods) {
    return pods.stream()
        .map(
            p ->
                BoundedGet.podUri(p.getStatus().getPodIP(), CanaryMetricsClient.port(p), "")
                    .toString())
        .sorted() // the informer's order is not stable; the Job's args should be
        .collect(Collectors.joining(","));
  }

  /**
   * The outcome of the newest finished probe pod of {@code sd} for {@code canaryDigest} created at
   * or after {@code since} (an older one, of an earlier canary of the same digest, is not this
   * canary's); empty while none finished.
   */
  static Optional<ProbeOutcome> outcome(
      List<Pod> pods, StudentDeployment sd, String canaryDigest, Instant since) {
    return pods.stream()
        .filter(p -> sd.getMetadata().getName().equals(label(p, Labels.PROBE_OF)))
        .filter(p -> canaryDigest.equals(annotation(p, Labels.MODEL_DIGEST)))
        .filter(p -> !created(p).isBefore(since))
        .max(Comparator.comparing(ProbeJobs::created))
        .flatMap(ProbeJobs::finished);
  }

  private static Optional<ProbeOutcome> finished(Pod pod) {
    var status = pod.getStatus();
    if (status == null) {
      return Optional.empty();
    }
    var terminated =
        status.getContainerStatuses() == null
            ? null
            : status.getContainerStatuses().stream()
                .filter(c -> CONTAINER.equals(c.getName()))
                .map(ContainerStatus::getState)
                .filter(s -> s != null && s.getTerminated() != null)
                .map(s -> s.getTerminated())
                .findFirst()
                .orElse(null);
    if (terminated != null) {
      CanaryProbeReport report = CanaryProbeReport.parseOrNull(terminated.getMessage());
      if (report != null) {
        return Optional.of(new ProbeOutcome(report, null));
      }
      return Optional.of(
          new ProbeOutcome(
              null,
              "probe pod "
                  + pod.getMetadata().getName()
                  + " exited "
                  + terminated.getExitCode()
                  + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")")
                  + " without a report"));
    }
    if ("Failed".equals(status.getPhase())) {
      return Optional.of(
          new ProbeOutcome(
              null,
              "probe pod "
                  + pod.getMetadata().getName()
                  + " failed"
                  + (status.getReason() == null ? "" : " (" + status.getReason() + ")")
                  + " without a report"));
    }
    return Optional.empty();
  }

  private static Instant created(Pod p) {
    String t = p.getMetadata().getCreationTimestamp();
    return t == null ? Instant.EPOCH : Instant.parse(t);
  }

  private static String label(Pod p, String key) {
    return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(key);
  }

  private static String annotation(Pod p, String key) {
    return p.getMetadata().getAnnotations() == null
        ? null
        : Objects.toString(p.getMetadata().getAnnotations().get(key), null);
  }
}
