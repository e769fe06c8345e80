package io.distillery.mdt.cli;

import io.distillery.mdt.serve.ServeOptions;
import io.distillery.mdt.serve.TorchThreads;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How a server runs its model, shared by {@code mdt serve} and the servers {@code mdt loadtest}
 * starts: device, dynamic batching bounds and libtorch threads.
 */
public final class BatchingOptions {
  @Option(
      names = "--device",
      paramLabel = "auto|cpu|gpu",
      defaultValue = "auto",
      description =
          "Compute device; auto takes the GPUs when DJL finds any. With GPUs, one model replica"
              + " and one batch queue per visible GPU; gpu without a visible GPU exits 2.")
  String device;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Model replicas, each with its own batch queue (0: one per visible GPU, or one on the"
              + " CPU). On the CPU more than one is for testing; on GPUs at most the GPU count.")
  int replicas;

  @Option(
      names = "--max-batch",
      paramLabel = "N",
      defaultValue = "32",
      description = "Most samples per model call.")
  int maxBatch;

  @Option(
      names = "--batch-window-ms",
      paramLabel = "MS",
      defaultValue = "5",
      description =
          "How long a request may wait for others to share its batch; only while another"
              + " accepted request is running or being answered (alone, it runs at once).")
  int batchWindowMs;

  @Option(
      names = "--queue",
      paramLabel = "N",
      defaultValue = "64",
      description = "Most requests waiting for the model; beyond it 429 with Retry-After.")
  int queue;

  @Option(
      names = "--torch-threads",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "PyTorch intra-op threads per model call (0: one per core). Batching, not threads, is"
              + " what scales serving; see SERVING.md.")
  int torchThreads;

  /** Sets the libtorch threads; a bad count is a usage error of {@code spec}'s command. */
  void configureThreads(CommandSpec spec) {
    try {
      TorchThreads.configure(torchThreads);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** {@code base} with this device and these batching bounds. */
  ServeOptions applyTo(ServeOptions base) {
    return base.withDevice(device)
        .withBatching(maxBatch, batchWindowMs, queue)
        .withReplicas(replicas);
  }
}
