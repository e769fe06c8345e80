package io.distillery.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar node-agent.jar --kubeconfig ...}: registers one node of the local cluster and
 * runs its pods until SIGTERM, which stops every pod process it started before it exits.
 */
@Command(
    name = "node-agent",
    mixinStandardHelpOptions = true,
    description = "Plays the kubelet of one node of the local cluster for Distillery's images.")
public final class NodeAgentMain implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--kubeconfig", required = true, description = "The cluster's kubeconfig.")
  Path kubeconfig;

  @Option(
      names = "--node",
      defaultValue = "mdt-node-1",
      description = "Node name (${DEFAULT-VALUE}).")
  String node;

  @Option(names = "--work-dir", required = true, description = "Where pods' files and logs go.")
  Path workDir;

  @Option(names = "--mdt-jar", required = true, description = "The trainer image's mdt.jar.")
  Path mdtJar;

  @Option(
      names = "--operator-jar",
      required = true,
      description = "The operator image's quarkus-run.jar.")
  Path operatorJar;

  @Option(names = "--cpu", defaultValue = "8", description = "Allocatable CPU (${DEFAULT-VALUE}).")
  String cpu;

  @Option(
      names = "--memory",
      defaultValue = "32Gi",
      description = "Allocatable memory (${DEFAULT-VALUE}).")
  String memory;

  @Option(names = "--pods", defaultValue = "20", description = "Pod capacity (${DEFAULT-VALUE}).")
  int pods;

  @Option(
      names = "--gpus",
      defaultValue = "8",
      description =
          "nvidia.com/gpu the node advertises, played by the CPU (${DEFAULT-VALUE}; 0 for none).")
  int gpus;

  public static void main(String[] args) {
    System.exit(new CommandLine(new NodeAgentMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(kubeconfig)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--kubeconfig " + kubeconfig + " does not exist");
    }
    NodeCapacity capacity;
    Entrypoints entrypoints;
    try {
      capacity = new NodeCapacity(cpu, memory, pods, gpus);
      entrypoints = Entrypoints.fromJars(mdtJar, operatorJar);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build();
    NodeAgent agent = NodeAgent.start(client, node, workDir, entrypoints, capacity);
    System.out.println("node-agent: node " + node + " registered; pods run under " + workDir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // SIGTERM (hack/cluster down): no pod process may outlive the agent.
                  System.out.println("node-agent: stopping " + agent.pods().size() + " pod(s)");
                  agent.close();
                  client.close();
                  stopped.countDown();
                },
                "node-agent-shutdown"));
    stopped.await();
    return 0;
  }
}
