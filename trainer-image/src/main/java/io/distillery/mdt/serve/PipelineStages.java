package io.distillery.mdt.serve;

import ai.djl.Device;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.UnsupportedArtifactException;
import io.distillery.mdt.sampling.SeededSampling;
import io.distillery.mdt.sampling.ThresholdedStructures;
import java.io.IOException;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A two-stage pipeline loaded for serving: both stage models and the chain that {@code mdt sample}
 * runs on a pipeline. Sample {@code i} draws its structure noise from {@code seeds[i]} on {@link
 * SeededSampling#STRUCTURE_STREAM} and its colour noise from the same seed on {@link
 * SeededSampling#APPEARANCE_STREAM}, so a served sample equals {@code mdt sample}'s shape for the
 * same class, seed and steps. Both stages run at the request's step count.
 *
 * <p>A sample is {@code 4 * R^3} floats: the thresholded structure (+1 occupied, -1 empty) and the
 * RGB colours in [-1, 1] on it (0 off it). A structure with no occupied voxel gets no appearance
 * (the appearance model refuses an empty structure): its colours stay 0.
 */
public final class PipelineStages implements AutoCloseable {
  private final Pipelines.Pipeline pipeline;
  private final ModelArtifacts.Loaded structure;
  private final ModelArtifacts.Loaded appearance;
  private final SortedSet<Integer> allowedSteps;
  private long lastStructureNanos;
  private long lastAppearanceNanos;

  private PipelineStages(
      Pipelines.Pipeline pipeline,
      ModelArtifacts.Loaded structure,
      ModelArtifacts.Loaded appearance,
      SortedSet<Integer> allowedSteps) {
    this.pipeline = pipeline;
    this.structure = structure;
    this.appearance = appearance;
    this.allowedSteps = allowedSteps;
  }

  /** Loads both stages of an opened (verified) pipeline. */
  static PipelineStages load(Pipelines.Pipeline p, Device device) throws IOException {
    SortedSet<Integer> s = ServingModel.allowedSteps(p.structureCard());
    SortedSet<Integer> a = ServingModel.allowedSteps(p.appearanceCard());
    SortedSet<Integer> both = new TreeSet<>(s);
    both.retainAll(a);
    if (both.isEmpty()) {
      throw new UnsupportedArtifactException(
          p.artifact().dir()
              + ": no step count is served by both stages (structure "
              + s
              + ", appearance "
              + a
              + "); the pipeline samples both stages at the request's steps");
    }
    ModelArtifacts.Loaded st = ModelArtifacts.load(p.structure(), device);
    try {
      return new PipelineStages(p, st, ModelArtifacts.load(p.appearance(), device), both);
    } catch (IOException | RuntimeException e) {
      st.close();
      throw e;
    }
  }

  public Pipelines.Pipeline pipeline() {
    return pipeline;
  }

  ModelArtifacts.Loaded structure() {
    return structure;
  }

  ModelArtifacts.Loaded appearance() {
    return appearance;
  }

  /** The pipeline's occupancy threshold. */
  public double threshold() {
    return pipeline.card().threshold();
  }

  /** Step counts both stages serve. */
  SortedSet<Integer> allowedSteps() {
    return new TreeSet<>(allowedSteps);
  }

  /**
   * The structure stage's default if both stages serve it, else the appearance's, else the least.
   */
  int defaultSteps() {
    int s = structure.card().sampler().steps();
    int a = appearance.card().sampler().steps();
    return allowedSteps.contains(s) ? s : allowedSteps.contains(a) ? a : allowedSteps.first();
  }

  boolean anyStudent() {
    return structure.card().guidanceBakedIn() || appearance.card().guidanceBakedIn();
  }

  int colourChannels() {
    return (int) appearance.model().sampleShape().get(0);
  }

  /** Seconds the last {@link #generate} spent in the structure and the appearance stage. */
  double[] lastStageSeconds() {
    return new double[] {lastStructureNanos / 1e9, lastAppearanceNanos / 1e9};
  }

  /**
   * The chain on one batch: sample {@code i} is class {@code classes[i]}, seed {@code seeds[i]}.
   */
  float[][] generate(int steps, int[] classes, long[] seeds) {
    int n = classes.length;
    long began = System.nanoTime();
    VoxelBatch structures =
        SeededSampling.sample(
            structure.model(),
            ServingModel.settings(structure.card(), steps),
            classes,
            seeds,
            SeededSampling.STRUCTURE_STREAM,
            Math.max(1, n),
            null);
    VoxelBatch occupancy = ThresholdedStructures.occupancy(structures, threshold());
    long structureDone = System.nanoTime();
    VoxelBatch rgb =
        ThresholdedStructures.colour(
            appearance.model(),
            ServingModel.settings(appearance.card(), steps),
            occupancy,
            seeds,
            Math.max(1, n));
    int voxels = occupancy.voxels();
    int colours = colourChannels() * voxels;
    float[][] out = new float[n][voxels + colours];
    for (int i = 0; i < n; i++) {
      System.arraycopy(occupancy.data(), i * voxels, out[i], 0, voxels);
      System.arraycopy(rgb.data(), i * colours, out[i], voxels, colours);
    }
    lastStructureNanos = structureDone - began;
    lastAppearanceNanos = System.nanoTime() - structureDone;
    return out;
  }

  @Override
  public void close() {
    try {
      appearance.close();
    } finally {
      structure.close();
    }
  }
}
