package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.CanaryQualityStatus;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.OperatorSettings;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.List;

/**
 * The two API calls a canary verdict needs beyond the workflow: creating the probe Job once per
 * analysis, and removing a person's decision annotation once acted on (or when there is no Paused
 * canary for it), so it never applies to a later canary.
 */
final class CanaryCalls {
  private CanaryCalls() {}

  /**
   * Creates the probe Job when the new status asks for it (quality state Pending) and moves it to
   * Running; a leftover Job of the same name (an earlier canary of this digest) is deleted first
   * and the Job is created on a later reconcile.
   */
  static void createProbeJob(
      KubernetesClient client,
      StudentDeployment sd,
      StudentDeploymentStatus next,
      List<Pod> canaryPods,
      List<Pod> stablePods,
      OperatorSettings settings) {
    var c = next.canary;
    if (c == null
        || c.quality == null
        || !CanaryQualityStatus.PENDING.equals(c.quality.state)
        || !StudentConditions.CANARY_ANALYSING.equals(c.state)) {
      return;
    }
    if (canaryPods.isEmpty() || stablePods.isEmpty()) {
      c.quality.state = CanaryQualityStatus.INCONCLUSIVE;
      c.quality.message =
          "nothing to probe: "
              + canaryPods.size()
              + " ready canary and "
              + stablePods.size()
              + " ready stable pods";
      return;
    }
    var job = ProbeJobs.job(sd, c.digest, canaryPods, stablePods, settings);
    try {
      client.batch().v1().jobs().resource(job).create();
      c.quality.state = CanaryQualityStatus.RUNNING;
      c.quality.message =
          "probing " + canaryPods.size() + " canary and " + stablePods.size() + " stable pods";
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(sd.getMetadata().getNamespace())
          .withName(job.getMetadata().getName())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    }
  }

  /**
   * Removes {@link CanaryDecision#ANNOTATION} unless the canary is still Paused and the value is
   * not one the operator acts on yet (it acted on a valid one in this reconcile).
   */
  static void clearDecision(
      KubernetesClient client, StudentDeployment sd, StudentDeploymentStatus next) {
    var decision = CanaryDecision.of(sd);
    if (decision.isEmpty()) {
      return;
    }
    boolean waiting =
        next.canary != null
            && StudentConditions.CANARY_PAUSED.equals(next.canary.state)
            && decision.get().valid();
    if (waiting) {
      return;
    }
    String path = "/metadata/annotations/" + CanaryDecision.ANNOTATION.replace("/", "~1");
    try {
      client
          .resources(StudentDeployment.class)
          .inNamespace(sd.getMetadata().getNamespace())
          .withName(sd.getMetadata().getName())
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"test\",\"path\":\""
                  + path
                  + "\",\"value\":\""
                  + decision.get().value().replace("\\", "\\\\").replace("\"", "\\\"")
                  + "\"},{\"op\":\"remove\",\"path\":\""
                  + path
                  + "\"}]");
    } catch (KubernetesClientException e) {
      // 422: the annotation changed or went meanwhile; the next reconcile looks again.
      if (e.getCode() != 422 && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }
}
