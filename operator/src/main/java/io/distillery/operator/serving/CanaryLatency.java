package io.distillery.operator.serving;

/** User-traffic latency histograms of the canary pods and of the stable pods, each summed. */
public record CanaryLatency(LatencyHistogram canary, LatencyHistogram stable) {}
