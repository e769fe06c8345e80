package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.PlacementSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentSpec;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.PodResources;
import io.distillery.operator.common.RestrictedSecurity;
import io.distillery.operator.distillation.InputUris;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Desired serving Deployments (stable and canary): pure functions of the StudentDeployment, the
 * model and the settings, unit-tested without a cluster.
 */
public final class ServingDeployments {
  private ServingDeployments() {}

  /** The stable Deployment; without replicas while an HPA owns them. */
  public static Deployment stable(StudentDeployment sd, ServedModel model, OperatorSettings s) {
    Integer replicas = sd.getSpec().autoscaling != null ? null : sd.getSpec().replicasOrDefault();
    return deployment(sd, model, StudentNames.STABLE, StudentNames.stable(sd), replicas, s);
  }

  public static Deployment canary(StudentDeployment sd, ServedModel model, OperatorSettings s) {
    int base =
        sd.getSpec().autoscaling != null
            ? sd.getSpec().autoscaling.minReplicas == null
                ? 1
                : sd.getSpec().autoscaling.minReplicas
            : sd.getSpec().replicasOrDefault();
    int replicas = sd.getSpec().rolloutOrDefault().canaryReplicasFor(base);
    return deployment(sd, model, StudentNames.CANARY, StudentNames.canary(sd), replicas, s);
  }

  static Deployment deployment(
      StudentDeployment sd,
      ServedModel model,
      String track,
      String name,
      Integer replicas,
      OperatorSettings settings) {
    Container container = container(sd, model, settings);
    List<Container> fetches = ServingFetch.initContainers(sd, model, settings);
    // The init containers count too (a new credentials Secret rolls the pods); a model on a claim
    // has none and keeps the hash it always had.
    String configHash =
        hash(fetches.isEmpty() ? container.toString() : container.toString() + fetches);
    PlacementSpec placement =
        sd.getSpec().placement == null ? new PlacementSpec() : sd.getSpec().placement;
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(sd.getMetadata().getNamespace())
        .withLabels(StudentNames.labels(sd, track))
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(StudentNames.selector(sd, track))
        .endSelector()
        .withProgressDeadlineSeconds(sd.getSpec().rolloutOrDefault().progressDeadlineOrDefault())
        // No old pod goes before its replacement is ready: the Service never loses capacity.
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString("25%"))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(StudentNames.labels(sd, track))
        .addToAnnotations(Labels.MODEL_DIGEST, model.digest())
        .addToAnnotations(Labels.CONFIG_HASH, configHash)
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        // The pre-stop sleep, then the drain, then a margin before SIGKILL.
        .withTerminationGracePeriodSeconds((long) PRE_STOP_SLEEP_SECONDS + DRAIN_SECONDS + 5)
        .withNodeSelector(placement.nodeSelector)
        .withTolerations(placement.tolerations)
        .withAffinity(placement.affinity)
        .withPriorityClassName(placement.priorityClassName)
        .withSecurityContext(RestrictedSecurity.pod())
        .withInitContainers(fetches)
        .withContainers(container)
        .addAllToVolumes(modelVolumes(model))
        .addAllToVolumes(appearanceVolume(model))
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

  /**
   * How long a deleted serving pod keeps answering before SIGTERM: the time Services, kube-proxy
   * and ingresses take to stop routing to it. Without it a rollout answers 503 to requests that
   * reach a pod already draining.
   */
  static final int PRE_STOP_SLEEP_SECONDS = 5;

  /**
   * How long mdt serve finishes queued and running requests after SIGTERM; passed as
   * --drain-timeout-s, so the grace period above always covers it.
   */
  static final int DRAIN_SECONDS = 30;

  private static Container container(
      StudentDeployment sd, ServedModel model, OperatorSettings settings) {
    StudentDeploymentSpec spec = sd.getSpec();
    List<String> args = new ArrayList<>(List.of("serve", "--model", model.localPath()));
    args.addAll(List.of("--port", Integer.toString(StudentNames.HTTP_PORT)));
    args.addAll(List.of("--drain-timeout-s", Integer.toString(DRAIN_SECONDS)));
    if (model.isPair()) {
      args.addAll(List.of("--appearance", model.appearanceLocalPath()));
    }
    if (spec.steps != null) {
      args.addAll(List.of("--steps", spec.steps.toString()));
    }
    if (spec.resources != null && spec.resources.gpusOrZero() > 0) {
      // One replica per GPU the pod gets; without a visible GPU mdt serve exits 2 naming what it
      // found, rather than serving on the CPU unnoticed.
      args.addAll(List.of("--device", "gpu"));
    }
    return new ContainerBuilder()
        .withName(StudentNames.CONTAINER)
        .withImage(spec.image != null ? spec.image : settings.trainerImage())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withArgs(args)
        .addNewPort()
        .withName(StudentNames.HTTP_PORT_NAME)
        .withContainerPort(StudentNames.HTTP_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewEnv()
        .withName("TMPDIR")
        .withValue("/tmp")
        .endEnv()
        // mdt's last log line (its one-line error) becomes the termination message, which the
        // status shows as why the pods are not ready (ServingContainerProblems).
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withResources(PodResources.of(spec.resources, settings.gpuResourceName()))
        .withReadinessProbe(probe("/readyz", 5, 3))
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep((long) PRE_STOP_SLEEP_SECONDS)
        .endPreStop()
        .endLifecycle()
        .withLivenessProbe(probe("/healthz", 10, 3))
        // Loading and warming a model takes a while; liveness must not kill it meanwhile.
        .withStartupProbe(probe("/healthz", 5, 60))
        .addAllToVolumeMounts(modelMounts(model))
        .addAllToVolumeMounts(appearanceMount(model))
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .withSecurityContext(RestrictedSecurity.readOnlyContainer())
        .build();
  }

  /**
   * The structure's claim (or the only model's), and the emptyDir the fetch init containers fill
   * when a stage is in object storage.
   */
  private static List<Volume> modelVolumes(ServedModel model) {
    List<Volume> volumes = new ArrayList<>();
    if (!model.fetched()) {
      volumes.add(
          new VolumeBuilder()
              .withName(MODEL_VOLUME)
              .withNewPersistentVolumeClaim(model.claimPath().claim(), true)
              .build());
    }
    if (model.fetched() || model.appearanceFetched()) {
      volumes.add(
          new VolumeBuilder()
              .withName(ServingFetch.VOLUME)
              .withNewEmptyDir()
              .endEmptyDir()
              .build());
    }
    return volumes;
  }

  /** The serving container reads every model read-only, fetched or on a claim. */
  private static List<VolumeMount> modelMounts(ServedModel model) {
    List<VolumeMount> mounts = new ArrayList<>();
    if (!model.fetched()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName(MODEL_VOLUME)
              .withMountPath(StudentNames.MODEL_MOUNT)
              .withReadOnly(true)
              .build());
    }
    if (model.fetched() || model.appearanceFetched()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName(ServingFetch.VOLUME)
              .withMountPath(StudentNames.FETCH_MOUNT)
              .withReadOnly(true)
              .build());
    }
    return mounts;
  }

  static final String MODEL_VOLUME = "model";

  /** A pair's appearance stage on another claim: a second read-only volume; else none. */
  private static List<Volume> appearanceVolume(ServedModel model) {
    if (!model.appearanceOnOwnClaim()) {
      return List.of();
    }
    return List.of(
        new VolumeBuilder()
            .withName(APPEARANCE_VOLUME)
            .withNewPersistentVolumeClaim(
                InputUris.claimPath(model.appearance().stage().uri()).orElseThrow().claim(), true)
            .build());
  }

  private static List<VolumeMount> appearanceMount(ServedModel model) {
    if (!model.appearanceOnOwnClaim()) {
      return List.of();
    }
    return List.of(
        new VolumeMountBuilder()
            .withName(APPEARANCE_VOLUME)
            .withMountPath(ServedModel.APPEARANCE_MOUNT)
            .withReadOnly(true)
            .build());
  }

  static final String APPEARANCE_VOLUME = "appearance";

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(StudentNames.HTTP_PORT_NAME))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(2)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
