package io.distillery.operator.distillation;

import io.distillery.config.ExitCodes;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.api.v1alpha1.PlacementSpec;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.PodResources;
import io.distillery.operator.common.RestrictedSecurity;
import io.distillery.operator.common.S3Env;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code batch/v1} Job running {@code mdt distill}. A Job's pod template is immutable, and the
 * CRD freezes the spec once the Job exists, so after creation only {@code suspend} and {@code
 * ttlSecondsAfterFinished} are kept in sync (by a merge patch); everything else is fixed at
 * creation.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = DistillationNames.CHILD_SELECTOR,
            itemStore = TrainerJobStore.class))
public class TrainerJobDependent extends CRUDKubernetesDependentResource<Job, DistillationJob> {

  public TrainerJobDependent() {
    super(Job.class);
  }

  @Override
  protected Job desired(DistillationJob dj, Context<DistillationJob> context) {
    Boolean current =
        context.getSecondaryResource(Job.class).map(j -> j.getSpec().getSuspend()).orElse(null);
    DistillationJobContext shared = DistillationJobContext.of(context);
    return desired(dj, shared.settings(), shared.config(), current);
  }

  @Override
  public Matcher.Result<Job> match(Job actual, DistillationJob dj, Context<DistillationJob> ctx) {
    Job desired = desired(dj, ctx);
    boolean same =
        Objects.equals(desired.getSpec().getSuspend(), actual.getSpec().getSuspend())
            && Objects.equals(
                desired.getSpec().getTtlSecondsAfterFinished(),
                actual.getSpec().getTtlSecondsAfterFinished());
    return Matcher.Result.computed(same, desired);
  }

  @Override
  public Job update(Job actual, Job desired, DistillationJob dj, Context<DistillationJob> ctx) {
    // A merge patch touches only these two fields; null removes the TTL.
    String patch =
        "{\"spec\":{\"suspend\":"
            + desired.getSpec().getSuspend()
            + ",\"ttlSecondsAfterFinished\":"
            + desired.getSpec().getTtlSecondsAfterFinished()
            + "}}";
    return ctx.getClient().resource(actual).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  /**
   * Pure desired state. {@code currentSuspend} is the existing Job's {@code spec.suspend} (null
   * before creation): with a Kueue queue, Kueue owns that field after creation.
   */
  public static Job desired(DistillationJob dj, OperatorSettings settings, Boolean currentSuspend) {
    return desired(dj, settings, RenderedTrainerConfig.of(dj), currentSuspend);
  }

  static Job desired(
      DistillationJob dj,
      OperatorSettings settings,
      RenderedTrainerConfig config,
      Boolean currentSuspend) {
    DistillationJobSpec spec = dj.getSpec();
    Map<String, String> jobLabels = DistillationNames.labels(dj);
    if (spec.queueName != null) {
      jobLabels.put(Labels.KUEUE_QUEUE_NAME, spec.queueName);
    }
    PlacementSpec placement = spec.placement == null ? new PlacementSpec() : spec.placement;
    var podSpec =
        new PodSpecBuilder()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withServiceAccountName(spec.serviceAccountName)
            .withImagePullSecrets(spec.imagePullSecrets)
            .withNodeSelector(placement.nodeSelector)
            .withTolerations(placement.tolerations)
            .withAffinity(placement.affinity)
            .withPriorityClassName(placement.priorityClassName)
            // The restricted Pod Security Standard (the image runs as uid 10001).
            .withSecurityContext(RestrictedSecurity.pod())
            .withContainers(container(dj, settings, config))
            .withVolumes(volumes(dj))
            .build();
    return new JobBuilder()
        .withNewMetadata()
        .withName(DistillationNames.job(dj))
        .withNamespace(dj.getMetadata().getNamespace())
        .withLabels(jobLabels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(spec.backoffLimit == null ? 3 : spec.backoffLimit)
        .withActiveDeadlineSeconds(spec.activeDeadlineSeconds)
        .withTtlSecondsAfterFinished(spec.ttlSecondsAfterFinished)
        .withSuspend(suspend(spec, currentSuspend))
        .withNewPodFailurePolicy()
        // Bad config, bad input, divergence, a failed gate and storage that stayed unreachable
        // through the trainer's bounded retries fail the same way on a retry.
        .withRules(
            new PodFailurePolicyRuleBuilder()
                .withAction("FailJob")
                .withNewOnExitCodes()
                .withContainerName(DistillationNames.CONTAINER)
                .withOperator("In")
                .withValues(
                    ExitCodes.INVALID_CONFIG,
                    ExitCodes.INVALID_INPUT,
                    ExitCodes.DIVERGED,
                    ExitCodes.GATE_FAILED,
                    ExitCodes.STORAGE_UNAVAILABLE)
                .endOnExitCodes()
                .build(),
            new PodFailurePolicyRuleBuilder()
                .withAction("Ignore")
                .addNewOnPodCondition()
                .withType("DisruptionTarget")
                .withStatus("True")
                .endOnPodCondition()
                .build(),
            // SIGTERM (Kueue's preemption, a drain): the trainer checkpointed and exited 143; the
            // attempt was interrupted, not failed, so it never uses up spec.backoffLimit.
            new PodFailurePolicyRuleBuilder()
                .withAction("Ignore")
                .withNewOnExitCodes()
                .withContainerName(DistillationNames.CONTAINER)
                .withOperator("In")
                .withValues(ExitCodes.PREEMPTED)
                .endOnExitCodes()
                .build())
        .endPodFailurePolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(DistillationNames.labels(dj))
        .addToAnnotations(Labels.CONFIG_HASH, config.hash())
        .endMetadata()
        .withSpec(podSpec)
        .endTemplate()
        .endSpec()
        .build();
  }

  /** spec.suspend wins; with a queue the Job starts suspended and Kueue then owns the field. */
  static boolean suspend(DistillationJobSpec spec, Boolean currentSuspend) {
    if (spec.suspended()) {
      return true;
    }
    if (spec.queueName != null) {
      return currentSuspend == null || currentSuspend;
    }
    return false;
  }

  private static Container container(
      DistillationJob dj, OperatorSettings settings, RenderedTrainerConfig config) {
    DistillationJobSpec spec = dj.getSpec();
    String image = spec.image != null ? spec.image : settings.trainerImage();
    return new ContainerBuilder()
        .withName(DistillationNames.CONTAINER)
        .withImage(image)
        .withImagePullPolicy(settings.imagePullPolicy())
        .withArgs("distill", "--config", DistillationNames.CONFIG_FILE)
        // mdt records it in the student's provenance.json (a container cannot see its own image).
        .addNewEnv()
        .withName(DistillationNames.IMAGE_ENV)
        .withValue(image)
        .endEnv()
        .addAllToEnv(S3Env.of(spec.s3))
        .addNewPort()
        .withName(DistillationNames.PROGRESS_PORT_NAME)
        .withContainerPort(config.config().progressPort)
        .withProtocol("TCP")
        .endPort()
        .withResources(PodResources.of(spec.resources, settings.gpuResourceName()))
        .withVolumeMounts(mounts(dj))
        // On a crash without a result JSON, the log tail becomes the message we report.
        .withTerminationMessagePath(DistillationNames.TERMINATION_MESSAGE_PATH)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(RestrictedSecurity.container())
        .build();
  }

  /**
   * Input claims (teacher, dataset, structure model, feature module) other than the output claim,
   * in spec order.
   */
  static Set<String> inputClaims(DistillationJob dj) {
    Set<String> claims = new LinkedHashSet<>();
    InputUris.claimPath(dj.getSpec().teacher.uri).ifPresent(c -> claims.add(c.claim()));
    if (dj.getSpec().dataset != null) {
      InputUris.claimPath(dj.getSpec().dataset.uri).ifPresent(c -> claims.add(c.claim()));
      InputUris.claimPath(dj.getSpec().dataset.structureModel)
          .ifPresent(c -> claims.add(c.claim()));
    }
    var evaluation = dj.getSpec().evaluation;
    if (evaluation != null && evaluation.features != null) {
      // A feature module on the teacher's claim shares its volume: the set keeps one entry.
      InputUris.claimPath(evaluation.features.uri).ifPresent(c -> claims.add(c.claim()));
    }
    claims.remove(DistillationNames.outputClaim(dj));
    return claims;
  }

  private static List<Volume> volumes(DistillationJob dj) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("trainer-config")
            .withNewConfigMap()
            .withName(DistillationNames.configMap(dj))
            .endConfigMap()
            .build());
    volumes.add(
        DistillationNames.toObjectStorage(dj)
            // Scratch the trainer mirrors to spec.output.uri; a retried pod downloads the
            // checkpoints back, so nothing here needs to outlive the pod.
            ? new VolumeBuilder().withName("output").withNewEmptyDir().endEmptyDir().build()
            : new VolumeBuilder()
                .withName("output")
                .withNewPersistentVolumeClaim(DistillationNames.outputClaim(dj), false)
                .build());
    int i = 0;
    for (String claim : inputClaims(dj)) {
      volumes.add(
          new VolumeBuilder()
              .withName("input-" + i++)
              .withNewPersistentVolumeClaim(claim, true)
              .build());
    }
    return volumes;
  }

  private static List<VolumeMount> mounts(DistillationJob dj) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(
        new VolumeMountBuilder()
            .withName("trainer-config")
            .withMountPath(DistillationNames.CONFIG_DIR)
            .withReadOnly(true)
            .build());
    mounts.add(
        new VolumeMountBuilder()
            .withName("output")
            .withMountPath(DistillationNames.OUTPUT_MOUNT)
            .build());
    int i = 0;
    for (String claim : inputClaims(dj)) {
      mounts.add(
          new VolumeMountBuilder()
              .withName("input-" + i++)
              .withMountPath(DistillationNames.INPUTS_MOUNT + "/" + claim)
              .withReadOnly(true)
              .build());
    }
    return mounts;
  }
}
