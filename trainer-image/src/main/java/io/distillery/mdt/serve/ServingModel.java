package io.distillery.mdt.serve;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.CorruptArtifactException;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.sampling.EulerSampler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A verified artifact ready to generate: which step counts it accepts, how it samples at each, and
 * one batched model call. Not thread-safe: the {@link BatchScheduler}'s single worker owns it.
 *
 * <p>Step counts: a teacher accepts {@value ServeOptions#MIN_STEPS}..{@value
 * ServeOptions#MAX_STEPS} (sampled with its card's CFG strength and time rescale); a distilled
 * student (guidance baked in) accepts only the step counts it was trained for ({@code
 * training.studentSteps} of its card, else its default), because MDT-dist students are not trained
 * to be sampled on other grids.
 *
 * <p>Noise is drawn on the Java heap from {@code new SplittableRandom(seed).nextGaussian()} per
 * sample, so a sample depends only on (model, class, seed, steps) and not on which requests shared
 * its batch (up to float rounding of batched matrix products).
 */
public final class ServingModel implements AutoCloseable {
  private final ModelArtifacts.Loaded loaded;
  private final SortedSet<Integer> allowedSteps;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Integer defaultStepsOverride;

  private ServingModel(ModelArtifacts.Loaded loaded) {
    this.loaded = loaded;
    this.allowedSteps = allowedSteps(loaded.card());
  }

  /** Opens, verifies (SHA-256 of every file) and loads the artifact in {@code dir}. */
  public static ServingModel load(Path dir, Device device) throws IOException {
    ModelArtifacts.Loaded loaded = ModelArtifacts.load(dir, device);
    List<String> names = loaded.card().classNames();
    if (names == null || names.isEmpty()) {
      loaded.close();
      throw new CorruptArtifactException(
          Artifact.MODEL_JSON, dir + ": model.json lists no classNames, nothing to condition on");
    }
    return new ServingModel(loaded);
  }

  static SortedSet<Integer> allowedSteps(ModelCard card) {
    SortedSet<Integer> steps = new TreeSet<>();
    if (!card.guidanceBakedIn()) {
      for (int s = ServeOptions.MIN_STEPS; s <= ServeOptions.MAX_STEPS; s++) {
        steps.add(s);
      }
      return steps;
    }
    Object trained = card.training() == null ? null : card.training().get("studentSteps");
    if (trained instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Number n
            && n.intValue() >= ServeOptions.MIN_STEPS
            && n.intValue() <= ServeOptions.MAX_STEPS) {
          steps.add(n.intValue());
        }
      }
    }
    steps.add(card.sampler().steps());
    return steps;
  }

  public ModelCard card() {
    return loaded.card();
  }

  public Artifact artifact() {
    return loaded.artifact();
  }

  public String digest() {
    return loaded.artifact().digest();
  }

  public int defaultSteps() {
    Integer o = defaultStepsOverride;
    return o != null ? o : loaded.card().sampler().steps();
  }

  /**
   * Serves requests without {@code steps} at {@code steps} instead of the card's default (what a
   * StudentDeployment's {@code spec.steps} sets); it must be a step count this model serves.
   */
  public void useDefaultSteps(int steps) {
    if (!allowedSteps.contains(steps)) {
      throw new IllegalArgumentException(
          "--steps " + steps + " is not served by this model; it serves " + allowedSteps);
    }
    defaultStepsOverride = steps;
  }

  public SortedSet<Integer> allowedSteps() {
    return new TreeSet<>(allowedSteps);
  }

  /**
   * The steps a warm-up runs once each: the default, and for a student every trained step count (a
   * teacher's other counts run the same kernels).
   */
  public SortedSet<Integer> warmUpSteps() {
    SortedSet<Integer> s = new TreeSet<>();
    s.add(defaultSteps());
    if (card().guidanceBakedIn()) {
      s.addAll(allowedSteps);
    }
    return s;
  }

  public List<String> classNames() {
    return loaded.card().classNames();
  }

  /** Values per sample, {@code C * R^3}. */
  public int sampleSize() {
    return (int) loaded.model().sampleShape().size();
  }

  public int channels() {
    return (int) loaded.model().sampleShape().get(0);
  }

  public int resolution() {
    return (int) loaded.model().sampleShape().get(1);
  }

  /** How sampling runs at {@code steps}: a student without CFG, a teacher with its card's CFG. */
  public SamplerSettings settings(int steps) {
    if (card().guidanceBakedIn()) {
      return SamplerSettings.student(steps);
    }
    SamplerSettings d = card().sampler();
    return new SamplerSettings(steps, d.cfgStrength(), d.rescaleT());
  }

  /**
   * Generates one batch: sample {@code i} is class {@code classes[i]} from the noise of {@code
   * seeds[i]}. Returns {@code C * R^3} floats per sample (data convention: occupancy in [-1, 1]).
   */
  public float[][] generate(int steps, int[] classes, long[] seeds) {
    int n = classes.length;
    int size = sampleSize();
    float[] noise = new float[n * size];
    for (int i = 0; i < n; i++) {
      SplittableRandom rng = new SplittableRandom(seeds[i]);
      for (int j = 0; j < size; j++) {
        noise[i * size + j] = (float) rng.nextGaussian();
      }
    }
    long[] cond = new long[n];
    for (int i = 0; i < n; i++) {
      cond[i] = classes[i];
    }
    Shape shape = new Shape(n).addAll(loaded.model().sampleShape());
    float[] out;
    try (NDManager nd = NDManager.newBaseManager(loaded.model().device())) {
      NDArray x =
          EulerSampler.sample(
              loaded.model(), nd.create(noise, shape), nd.create(cond), settings(steps));
      out = x.toFloatArray();
    }
    float[][] samples = new float[n][];
    for (int i = 0; i < n; i++) {
      samples[i] = new float[size];
      System.arraycopy(out, i * size, samples[i], 0, size);
    }
    return samples;
  }

  /** Frees the model; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      loaded.close();
    }
  }
}
