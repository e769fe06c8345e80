package io.distillery.mdt.probe;

/** One generate request of a probe: {@code count} samples of a class, sample i at seed + i. */
public record ProbeRequest(String className, long seed, int count) {}
