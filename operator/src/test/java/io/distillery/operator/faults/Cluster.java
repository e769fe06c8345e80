package io.distillery.operator.faults;

import io.distillery.operator.testing.fakes.ClusterSimulator;
import io.distillery.operator.testing.fixtures.Statuses;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;

/**
 * The rest of the cluster for the fault run, ticking on its own thread whatever the operator's
 * state: each trainer Job gets a pod that runs and then, a tick later, succeeds with a result; each
 * serving Deployment is rolled out. Every step re-reads what it changes, so a tick that an API
 * server outage interrupts is simply done again.
 */
final class Cluster {
  private final KubernetesClient client;
  private final ClusterSimulator sim;
  private final String ns;
  private final Map<String, Integer> jobTicks = new HashMap<>();
  private int nextIp = 10;

  Cluster(KubernetesClient client, String ns) {
    this.client = client;
    this.sim = new ClusterSimulator(client);
    this.ns = ns;
  }

  void tick() {
    try {
      for (Job job : client.batch().v1().jobs().inNamespace(ns).list().getItems()) {
        advance(job);
      }
      for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
        if (d.getStatus() == null || d.getStatus().getReadyReplicas() == null) {
          sim.rollOut(d, nextIp, 9);
          nextIp = nextIp >= 250 ? 10 : nextIp + 1;
        }
      }
    } catch (KubernetesClientException e) {
      // The API server is restarting: the next tick does it again.
    }
  }

  private void advance(Job job) {
    String name = job.getMetadata().getName();
    boolean complete =
        job.getStatus() != null
            && job.getStatus().getSucceeded() != null
            && job.getStatus().getSucceeded() == 1;
    if (complete) {
      return;
    }
    String podName = name + "-a1";
    var pod = client.pods().inNamespace(ns).withName(podName).get();
    int ticks = jobTicks.merge(name, 1, Integer::sum);
    if (pod == null) {
      pod = sim.createPod(job, podName);
      sim.jobStatus(job, 1, 0, 0);
      sim.podStatus(pod, Statuses.running("127.0.0.1"));
    } else if (ticks >= 4) {
      sim.podStatus(pod, Statuses.terminated("Succeeded", 0, "Completed", result(name)));
      sim.jobStatus(
          job,
          0,
          1,
          0,
          new JobConditionBuilder()
              .withType("SuccessCriteriaMet")
              .withStatus("True")
              .withReason("CompletionsReached")
              .build(),
          new JobConditionBuilder()
              .withType("Complete")
              .withStatus("True")
              .withReason("CompletionsReached")
              .build());
    }
  }

  static String result(String name) {
    return """
        {"status":"succeeded","exitCode":0,"method":"mdt",
         "artifact":"/var/lib/distillery/output/%s/student","digest":"sha256:abc123",
         "studentSteps":[1,2],"speedup":{"1":21.4,"2":11.0},
         "metrics":{"1":{"fd":10.8,"nfe":1},"teacher":{"fd":10.0,"nfe":50}},
         "gate":{"passed":true,"fdRatio":1.08,"maxFdRatio":1.2}}"""
        .formatted(name);
  }
}
