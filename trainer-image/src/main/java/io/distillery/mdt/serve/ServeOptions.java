package io.distillery.mdt.serve;

/**
 * How {@code mdt serve} runs: where it listens, the batching bounds and the request bounds.
 *
 * @param host interface to bind ({@code 0.0.0.0} in a pod, {@code 127.0.0.1} in tests)
 * @param port TCP port, 0 for a free one
 * @param device {@code auto}, {@code cpu} or {@code gpu}
 * @param maxBatch most samples one model call runs (a request of count k takes k)
 * @param batchWindowMs how long the worker waits for more requests after the first one arrives
 * @param queue most requests waiting for the model; beyond it requests get 429
 * @param maxCount most samples one request may ask for
 * @param drainTimeoutMs how long a shutdown waits for queued and running requests
 * @param idleTimeoutMs how long a connection may pass no bytes either way before it is closed
 * @param replicas model replicas, each with its own batch queue: 0 for one per device the choice
 *     means (every visible GPU, or the CPU once); on the CPU more than one tests the multi-queue
 *     path; on GPUs at most the GPU count (the first ones)
 * @param steps step count of requests that name none, null for the model's default
 */
public record ServeOptions(
    String host,
    int port,
    String device,
    int maxBatch,
    int batchWindowMs,
    int queue,
    int maxCount,
    long drainTimeoutMs,
    long idleTimeoutMs,
    int replicas,
    Integer steps) {

  /**
   * A silent connection is closed after this long, so stalled clients cannot hold sockets forever.
   * Twice the default drain timeout: a request waiting its turn for the model passes no bytes
   * either, and must not be cut off sooner than a shutdown would wait for it.
   */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  /** Request bodies above this size get 413. */
  public static final int MAX_BODY_BYTES = 16 * 1024;

  /** Step counts a teacher may be asked for. */
  public static final int MIN_STEPS = 1;

  public static final int MAX_STEPS = 64;

  public ServeOptions {
    require(port >= 0 && port <= 65535, "--port must be 0..65535, got " + port);
    require(maxBatch >= 1, "--max-batch must be at least 1, got " + maxBatch);
    require(batchWindowMs >= 0, "--batch-window-ms must not be negative, got " + batchWindowMs);
    require(queue >= 1, "--queue must be at least 1, got " + queue);
    require(maxCount >= 1, "--max-count must be at least 1, got " + maxCount);
    require(
        maxCount <= maxBatch,
        "--max-count " + maxCount + " must not exceed --max-batch " + maxBatch);
    require(drainTimeoutMs >= 0, "drain timeout must not be negative");
    require(idleTimeoutMs >= 1, "idle timeout must be positive");
    require(replicas >= 0, "--replicas must not be negative, got " + replicas);
  }

  /** Options with the default idle timeout. */
  public ServeOptions(
      String host,
      int port,
      String device,
      int maxBatch,
      int batchWindowMs,
      int queue,
      int maxCount,
      long drainTimeoutMs) {
    this(
        host,
        port,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        DEFAULT_IDLE_TIMEOUT_MS,
        0,
        null);
  }

  /** The defaults of {@code mdt serve} (all interfaces, port 8080). */
  public static ServeOptions defaults() {
    return new ServeOptions("0.0.0.0", 8080, "auto", 32, 5, 64, 4, 30_000);
  }

  /** Defaults on loopback with a free port, as tests and the load test use. */
  public static ServeOptions loopback() {
    return defaults().withHost("127.0.0.1").withPort(0).withDevice("cpu");
  }

  public ServeOptions withHost(String h) {
    return new ServeOptions(
        h,
        port,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        idleTimeoutMs,
        replicas,
        steps);
  }

  public ServeOptions withPort(int p) {
    return new ServeOptions(
        host,
        p,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        idleTimeoutMs,
        replicas,
        steps);
  }

  public ServeOptions withDevice(String d) {
    return new ServeOptions(
        host,
        port,
        d,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        idleTimeoutMs,
        replicas,
        steps);
  }

  public ServeOptions withBatching(int newMaxBatch, int newWindowMs, int newQueue) {
    return new ServeOptions(
        host,
        port,
        device,
        newMaxBatch,
        newWindowMs,
        newQueue,
        maxCount,
        drainTimeoutMs,
        idleTimeoutMs,
        replicas,
        steps);
  }

  public ServeOptions withMaxCount(int c) {
    return new ServeOptions(
        host,
        port,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        c,
        drainTimeoutMs,
        idleTimeoutMs,
        replicas,
        steps);
  }

  public ServeOptions withIdleTimeoutMs(long ms) {
    return new ServeOptions(
        host,
        port,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        ms,
        replicas,
        steps);
  }

  /** {@code n} replicas (0: one per device); see {@link #replicas()}. */
  public ServeOptions withReplicas(int n) {
    return new ServeOptions(
        host,
        port,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        idleTimeoutMs,
        n,
        steps);
  }

  /** Requests without {@code steps} run at {@code s} (null: the model's default). */
  public ServeOptions withSteps(Integer s) {
    return new ServeOptions(
        host,
        port,
        device,
        maxBatch,
        batchWindowMs,
        queue,
        maxCount,
        drainTimeoutMs,
        idleTimeoutMs,
        replicas,
        s);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
