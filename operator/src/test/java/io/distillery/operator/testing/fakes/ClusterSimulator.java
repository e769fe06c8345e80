package io.distillery.operator.testing.fakes;

import io.distillery.operator.testing.fixtures.Statuses;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays the job and deployment controllers and the kubelet, which the test control plane lacks:
 * creates the pods from the Job's or Deployment's template and writes their status through the
 * status subresource.
 */
public final class ClusterSimulator {
  private final KubernetesClient client;

  public ClusterSimulator(KubernetesClient client) {
    this.client = client;
  }

  /** A pod of {@code job}, built from its template and owned by it, as the job controller does. */
  public Pod createPod(Job job, String name) {
    var template = job.getSpec().getTemplate();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(template.getMetadata().getLabels())
            .withAnnotations(template.getMetadata().getAnnotations())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(job.getMetadata().getName())
                    .withUid(job.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    return client.pods().resource(pod).create();
  }

  public Pod podStatus(Pod pod, PodStatus status) {
    Pod current = client.pods().resource(pod).get();
    current.setStatus(status);
    return client.pods().resource(current).updateStatus();
  }

  /** Job status: active/failed/succeeded counts and, when finished, the terminal conditions. */
  public Job jobStatus(Job job, int active, int succeeded, int failed, JobCondition... conditions) {
    Job current = client.batch().v1().jobs().resource(job).get();
    var status =
        current.getStatus() == null
            ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus()
            : current.getStatus();
    status.setActive(active);
    status.setSucceeded(succeeded);
    status.setFailed(failed);
    status.setReady(0);
    if (status.getStartTime() == null) {
      status.setStartTime(Statuses.now());
    }
    List<JobCondition> list =
        new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
    list.addAll(List.of(conditions));
    status.setConditions(list);
    for (JobCondition c : conditions) {
      if ("Complete".equals(c.getType())) {
        status.setCompletionTime(Statuses.now());
      }
    }
    current.setStatus(status);
    return client.batch().v1().jobs().resource(current).updateStatus();
  }

  /**
   * Plays the deployment controller and the kubelet for {@code deployment}: replaces its pods by
   * {@code spec.replicas} ready pods built from the template (IPs {@code 127.0.0.<firstIp + i>},
   * loopback only; the container port named {@code http} set to {@code port}, where the test's
   * metrics server listens) and writes a finished rollout into the Deployment's status.
   */
  public List<Pod> rollOut(Deployment deployment, int firstIp, int port) {
    Deployment current = client.apps().deployments().resource(deployment).get();
    String ns = current.getMetadata().getNamespace();
    client.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> ownedBy(p, current))
        .forEach(p -> client.pods().resource(p).withGracePeriod(0).delete());
    var template = current.getSpec().getTemplate();
    int replicas = current.getSpec().getReplicas() == null ? 1 : current.getSpec().getReplicas();
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      var spec = Serialization.clone(template.getSpec());
      spec.getContainers().get(0).getPorts().forEach(p -> p.setContainerPort(port));
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withGenerateName(current.getMetadata().getName() + "-")
              .withNamespace(ns)
              .withLabels(template.getMetadata().getLabels())
              .withAnnotations(template.getMetadata().getAnnotations())
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withApiVersion("apps/v1")
                      .withKind("Deployment")
                      .withName(current.getMetadata().getName())
                      .withUid(current.getMetadata().getUid())
                      .withController(true)
                      .build())
              .endMetadata()
              .withSpec(spec)
              .build();
      pod = client.pods().resource(pod).create();
      pods.add(podStatus(pod, Statuses.servingReady("127.0.0." + (firstIp + i))));
    }
    deploymentStatus(current, replicas, replicas);
    return pods;
  }

  /** Deployment status as the deployment controller writes it. */
  public Deployment deploymentStatus(Deployment deployment, int updated, int ready) {
    Deployment current = client.apps().deployments().resource(deployment).get();
    current.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(current.getMetadata().getGeneration())
            .withReplicas(updated)
            .withUpdatedReplicas(updated)
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .build());
    return client.apps().deployments().resource(current).updateStatus();
  }

  private static boolean ownedBy(Pod p, Deployment d) {
    return p.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> o.getUid().equals(d.getMetadata().getUid()));
  }
}
