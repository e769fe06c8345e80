package io.distillery.mdt.serve;

/**
 * PyTorch's CPU thread counts for serving, set through DJL's system properties before the engine
 * starts (later calls have no effect). Intra-op threads parallelise one model call; the serving
 * process also needs CPU for HTTP, encoding and (in the load test) its clients, and OpenMP threads
 * that spin-wait for a preempted peer slow a model call down by an order of magnitude on a busy
 * machine (measured in SERVING.md), so {@code mdt serve} defaults to one intra-op thread.
 */
public final class TorchThreads {
  static final String INTRA_OP = "ai.djl.pytorch.num_threads";
  static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

  private TorchThreads() {}

  /**
   * Uses {@code intraOp} threads per model call and one inter-op thread; 0 keeps DJL's default (one
   * per core). A property already given on the command line ({@code -D}) wins.
   */
  public static void configure(int intraOp) {
    if (intraOp < 0) {
      throw new IllegalArgumentException("--torch-threads must be 0 or more, got " + intraOp);
    }
    if (intraOp > 0 && System.getProperty(INTRA_OP) == null) {
      System.setProperty(INTRA_OP, Integer.toString(intraOp));
      if (System.getProperty(INTER_OP) == null) {
        System.setProperty(INTER_OP, "1");
      }
    }
  }
}
