package io.distillery.operator.e2e;

import io.distillery.agent.AgentPod;
import io.distillery.agent.NodeAgent;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.ChartRelease;
import io.distillery.operator.testing.harnesses.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What the end-to-end tests with the real operator and mdt share: the chart installed with its
 * operator pod on the node agent's node (so it runs as the packaged application), hostPath volumes
 * for the claims, and the operator's log kept past the cluster's state directory.
 */
final class AgentNodeCluster {
  private AgentNodeCluster() {}

  /** {@code helm install} with the operator on the agent's node, progress polled every second. */
  static Binaries.Result installChartOnAgentNode(Path kubeconfig) {
    return ChartRelease.install(
        kubeconfig,
        "--set-json",
        "nodeSelector={\"" + NodeAgent.LABEL + "\":\"" + NodeAgent.VALUE + "\"}",
        "--set-json",
        "tolerations=[{\"key\":\""
            + NodeAgent.LABEL
            + "\",\"operator\":\"Equal\",\"value\":\""
            + NodeAgent.VALUE
            + "\",\"effect\":\"NoSchedule\"}]",
        "--set",
        "progress.interval=1s");
  }

  /** {@code count} hostPath volumes {@code <prefix>-<i>} the real PV controller can bind. */
  static void hostPathVolumes(LocalCluster cluster, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      String path = cluster.stateDir().resolve("volumes/" + prefix + "-" + i).toString();
      cluster
          .client()
          .persistentVolumes()
          .resource(Storage.hostPathVolume(prefix + "-" + i, path, "5Gi"))
          .create();
    }
  }

  /** The chart's operator pod (the only pod of the release namespace). */
  static boolean isOperator(AgentPod p) {
    return p.name().startsWith(ChartRelease.NAMESPACE + "/");
  }

  /** Copies the operator pod's log to {@code target}, for a failing run. */
  static void keepOperatorLog(NodeAgent agent, Path target) throws IOException {
    for (AgentPod p : agent.pods().values()) {
      if (isOperator(p) && Files.isRegularFile(p.log())) {
        Files.copy(p.log(), target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
