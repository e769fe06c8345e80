package io.distillery.mdt.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of a step's global batch that one replica computes: samples {@code [from, to)} of {@code
 * batch}. A loss draws the whole batch's randomness (indices, noise, times, labels) exactly as a
 * single replica would and keeps only its slice, so N replicas see the same samples as one.
 *
 * @param replica which replica (0 is the master whose weights the optimiser steps)
 * @param replicas how many replicas share the batch
 */
public record Shard(int replica, int replicas, int from, int to, int batch) {

  /** The whole batch on one replica: today's single-device step. */
  public static Shard whole(int batch) {
    return new Shard(0, 1, 0, batch, batch);
  }

  /**
   * {@code batch} split over {@code replicas} in contiguous slices; when it does not divide, the
   * first {@code batch % replicas} slices hold one sample more (the loss weights each slice by its
   * share, so the sum is still the mean over the global batch).
   *
   * @throws IllegalArgumentException when a replica would get no sample
   */
  public static List<Shard> split(int batch, int replicas) {
    if (replicas < 1 || batch < replicas) {
      throw new IllegalArgumentException(
          "a global batch of " + batch + " cannot be split over " + replicas + " replica(s)");
    }
    List<Shard> shards = new ArrayList<>(replicas);
    int from = 0;
    for (int r = 0; r < replicas; r++) {
      int size = batch / replicas + (r < batch % replicas ? 1 : 0);
      shards.add(new Shard(r, replicas, from, from + size, batch));
      from += size;
    }
    return List.copyOf(shards);
  }

  public int size() {
    return to - from;
  }

  public boolean isWhole() {
    return from == 0 && to == batch;
  }

  /** This slice of a per-sample array of the global batch. */
  public int[] slice(int[] global) {
    return java.util.Arrays.copyOfRange(global, from, to);
  }

  /** This slice of a per-sample array of the global batch. */
  public float[] slice(float[] global) {
    return java.util.Arrays.copyOfRange(global, from, to);
  }

  /** This slice of {@code global} holding {@code perSample} values for each sample, in order. */
  public float[] slice(float[] global, int perSample) {
    return java.util.Arrays.copyOfRange(global, from * perSample, to * perSample);
  }

  /** This slice of a per-sample array of the global batch. */
  public boolean[] slice(boolean[] global) {
    return java.util.Arrays.copyOfRange(global, from, to);
  }
}
