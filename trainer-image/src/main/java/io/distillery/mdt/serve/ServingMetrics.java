package io.distillery.mdt.serve;

import io.distillery.config.CanaryProbeReport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics of {@code mdt serve} (Prometheus Java client, classic histograms):
 *
 * <ul>
 *   <li>{@code mdt_serve_request_duration_seconds{steps,format,traffic}}: accepted generate
 *       requests, arrival to response, queue wait included;
 *   <li>{@code mdt_serve_requests_total{outcome,traffic}}: every generate request by outcome
 *       ({@code ok}, {@code bad_request}, {@code rejected} (429), {@code unavailable} (503), {@code
 *       aborted} (the client hung up mid-upload), {@code error} (a server fault, the only outcome a
 *       canary should roll back on));
 *   <li>{@code mdt_serve_empty_samples_total{steps}}: samples answered 200 with no filled voxel
 *       (see {@link EmptySamples});
 *   <li>{@code mdt_serve_in_flight_requests}: accepted generate requests not yet answered;
 *   <li>{@code mdt_serve_queue_depth}: requests waiting for the model, all replicas' queues;
 *   <li>{@code mdt_serve_replica_queue_depth{device}}, {@code
 *       mdt_serve_replica_batches_total{device}}, {@code mdt_serve_replica_samples_total{device}}:
 *       the same per model replica ({@code gpu0}, {@code gpu1}, ..., or {@code cpu0}, ...), so an
 *       idle or overloaded GPU shows;
 *   <li>{@code mdt_serve_batch_size}: samples per model call (warm-up excluded);
 *   <li>{@code mdt_serve_batch_duration_seconds{steps}}: model time per call;
 *   <li>{@code mdt_serve_stage_duration_seconds{stage,steps}}: for a pipeline, that model time
 *       split by stage ({@code structure}, {@code appearance});
 *   <li>{@code mdt_serve_ready}: 1 while ready.
 * </ul>
 *
 * <p>{@code traffic} is {@code probe} for a request carrying the header {@link
 * CanaryProbeReport#PROBE_HEADER} (any non-empty value; {@code mdt probe} sends it while a canary
 * is judged) and {@code user} otherwise, so probes never count as users' requests. The other
 * metrics do not tell the two apart.
 */
public final class ServingMetrics {
  public static final String OK = "ok";
  public static final String BAD_REQUEST = "bad_request";
  public static final String REJECTED = "rejected";
  public static final String UNAVAILABLE = "unavailable";
  public static final String ERROR = "error";

  /** The client closed the connection before its request was read: not the server's fault. */
  public static final String ABORTED = "aborted";

  /** {@code traffic} of a request without the probe header. */
  public static final String USER = "user";

  /**
   * {@code traffic} of a request with the probe header ({@link CanaryProbeReport#PROBE_HEADER}).
   */
  public static final String PROBE = "probe";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram latency =
      Histogram.builder()
          .name("mdt_serve_request_duration_seconds")
          .help(
              "Generate request latency from arrival to response, by steps, format and traffic"
                  + " (user, probe).")
          .labelNames("steps", "format", "traffic")
          .classicOnly()
          .classicUpperBounds(
              0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
          .register(registry);
  private final Counter requests =
      Counter.builder()
          .name("mdt_serve_requests_total")
          .help(
              "Generate requests by outcome (ok, bad_request, rejected, unavailable, aborted,"
                  + " error) and traffic (user, probe).")
          .labelNames("outcome", "traffic")
          .register(registry);
  private final Counter emptySamples =
      Counter.builder()
          .name("mdt_serve_empty_samples_total")
          .help(
              "Samples answered (200) with no filled voxel, by steps: an undertrained model,"
                  + " e.g. a 1-step student.")
          .labelNames("steps")
          .register(registry);
  private final Gauge inFlight =
      Gauge.builder()
          .name("mdt_serve_in_flight_requests")
          .help("Accepted generate requests not yet answered.")
          .register(registry);
  private final Gauge queueDepth =
      Gauge.builder()
          .name("mdt_serve_queue_depth")
          .help("Generate requests waiting for the model.")
          .register(registry);
  private final Gauge replicaQueueDepth =
      Gauge.builder()
          .name("mdt_serve_replica_queue_depth")
          .help("Generate requests waiting for one model replica, by device.")
          .labelNames("device")
          .register(registry);
  private final Counter replicaBatches =
      Counter.builder()
          .name("mdt_serve_replica_batches")
          .help("Model calls by device (warm-up excluded).")
          .labelNames("device")
          .register(registry);
  private final Counter replicaSamples =
      Counter.builder()
          .name("mdt_serve_replica_samples")
          .help("Samples generated by device (warm-up excluded).")
          .labelNames("device")
          .register(registry);
  private final Histogram batchSize =
      Histogram.builder()
          .name("mdt_serve_batch_size")
          .help("Samples per model call.")
          .classicOnly()
          .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128)
          .register(registry);
  private final Histogram batchDuration =
      Histogram.builder()
          .name("mdt_serve_batch_duration_seconds")
          .help("Model time per batch (all sampler steps), by steps.")
          .labelNames("steps")
          .classicOnly()
          .classicUpperBounds(
              0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .register(registry);
  private final Histogram stageDuration =
      Histogram.builder()
          .name("mdt_serve_stage_duration_seconds")
          .help("A pipeline's model time per batch by stage (structure, appearance) and steps.")
          .labelNames("stage", "steps")
          .classicOnly()
          .classicUpperBounds(
              0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .register(registry);
  private final Gauge ready =
      Gauge.builder()
          .name("mdt_serve_ready")
          .help("1 when the model is loaded and warmed up and the server is not draining.")
          .register(registry);

  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong batchedSamples = new AtomicLong();
  private final AtomicLong modelNanos = new AtomicLong();
  private final AtomicLong peakQueueDepth = new AtomicLong();
  private final Map<String, Integer> queueDepths = new ConcurrentHashMap<>();

  public ServingMetrics() {
    for (String o : new String[] {OK, BAD_REQUEST, REJECTED, UNAVAILABLE, ERROR, ABORTED}) {
      for (String t : new String[] {USER, PROBE}) {
        requests.labelValues(o, t);
      }
    }
  }

  /** {@link #PROBE} when {@code probeHeader} (the header's value, null if absent) is non-empty. */
  static String traffic(String probeHeader) {
    return probeHeader == null || probeHeader.isEmpty() ? USER : PROBE;
  }

  void outcome(String outcome, String traffic) {
    requests.labelValues(outcome, traffic).inc();
  }

  void latency(int steps, AssetFormat format, String traffic, double seconds) {
    latency.labelValues(Integer.toString(steps), format.wireName(), traffic).observe(seconds);
  }

  void emptySamples(int steps, int n) {
    emptySamples.labelValues(Integer.toString(steps)).inc(n);
  }

  void inFlight(int n) {
    inFlight.set(n);
  }

  /** Declares a replica, so its series show (at zero) before its first request. */
  void replica(String device) {
    replicaQueueDepth.labelValues(device).set(0);
    replicaBatches.labelValues(device);
    replicaSamples.labelValues(device);
  }

  /** {@code device}'s queue now holds {@code n}; the total is the sum over replicas. */
  void queued(String device, int n) {
    queueDepths.put(device, n);
    replicaQueueDepth.labelValues(device).set(n);
    queueDepth.set(queueDepths.values().stream().mapToInt(Integer::intValue).sum());
    peakQueueDepth.accumulateAndGet(n, Math::max);
  }

  /** The deepest any one replica's queue has been (each is bounded by {@code --queue}). */
  public long peakQueueDepth() {
    return peakQueueDepth.get();
  }

  void batch(String device, int samples, int steps, long nanos) {
    replicaBatches.labelValues(device).inc();
    replicaSamples.labelValues(device).inc(samples);
    batchSize.observe(samples);
    batchDuration.labelValues(Integer.toString(steps)).observe(nanos / 1e9);
    batches.incrementAndGet();
    batchedSamples.addAndGet(samples);
    modelNanos.addAndGet(nanos);
  }

  void stage(String stage, int steps, double seconds) {
    stageDuration.labelValues(stage, Integer.toString(steps)).observe(seconds);
  }

  /** Nanoseconds the model has spent on batches so far (warm-up excluded). */
  public long modelNanos() {
    return modelNanos.get();
  }

  /** Model calls so far (warm-up excluded). */
  public long batches() {
    return batches.get();
  }

  /** Model calls so far on {@code device}'s replica (warm-up excluded). */
  public long batches(String device) {
    return (long) replicaBatches.labelValues(device).get();
  }

  /** Samples generated by those calls. */
  public long batchedSamples() {
    return batchedSamples.get();
  }

  void ready(boolean r) {
    ready.set(r ? 1 : 0);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
