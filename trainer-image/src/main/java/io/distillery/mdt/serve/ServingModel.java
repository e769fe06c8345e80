package io.distillery.mdt.serve;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.PairDigest;
import io.distillery.config.TrainerConfig.Stage;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.CorruptArtifactException;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.PipelineCard;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.UnsupportedArtifactException;
import io.distillery.mdt.sampling.EulerSampler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
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
 * <p>Noise is drawn from {@code new SplittableRandom(seed).nextGaussian()} per sample ({@link
 * BatchNoise}), in one call per batch into one reused direct buffer that is uploaded in place, so a
 * sample depends only on (model, class, seed, steps) and not on which requests shared its batch (up
 * to float rounding of batched matrix products).
 *
 * <p>A two-stage pipeline ({@link PipelineStages}) is served as one model whose samples hold the
 * thresholded structure and its colours; {@link #card()} is then the structure stage's card.
 */
public final class ServingModel implements AutoCloseable {
  private final ModelArtifacts.Loaded loaded;
  private final PipelineStages pipeline;
  private final SortedSet<Integer> allowedSteps;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String pairDigest;
  private volatile Integer defaultStepsOverride;
  // Owned by the batch worker, like the model.
  private BatchNoise noise = BatchNoise.SEEDED;
  private ByteBuffer noiseBuffer;
  private long noiseCalls;

  private ServingModel(ModelArtifacts.Loaded loaded) {
    this.loaded = loaded;
    this.pipeline = null;
    this.allowedSteps = allowedSteps(loaded.card());
    this.pairDigest = null;
  }

  private ServingModel(PipelineStages pipeline, String pairDigest) {
    this.loaded = pipeline.structure();
    this.pipeline = pipeline;
    this.allowedSteps = pipeline.allowedSteps();
    this.pairDigest = pairDigest;
  }

  /**
   * Opens, verifies (SHA-256 of every file) and loads the artifact in {@code dir}: one model, or a
   * pipeline and both of its stages. An appearance model alone is refused: it needs a structure.
   */
  public static ServingModel load(Path dir, Device device) throws IOException {
    if (!Pipelines.declaredStages(dir).isEmpty()) {
      PipelineStages p = PipelineStages.load(Pipelines.open(dir), device);
      try {
        requireClassNames(dir, p.structure().card());
      } catch (IOException e) {
        p.close();
        throw e;
      }
      return new ServingModel(p, null);
    }
    ModelArtifacts.Loaded loaded = ModelArtifacts.load(dir, device);
    try {
      requireClassNames(dir, loaded.card());
      if (loaded.card().stage() == Stage.APPEARANCE) {
        throw new UnsupportedArtifactException(
            dir
                + " is an appearance model (kind "
                + loaded.card().kind()
                + "): it colours a given structure and cannot generate alone; pair it with a"
                + " structure model (mdt pipeline --structure S --appearance "
                + dir
                + " --out P) and serve the pipeline");
      }
    } catch (IOException e) {
      loaded.close();
      throw e;
    }
    return new ServingModel(loaded);
  }

  /**
   * Loads a structure and an appearance stage from two directories as the chain a pipeline artifact
   * of the two would serve: {@link Pipelines#write} checks them (each verified, a structure and an
   * appearance model on the same grid and classes; a refusal names the stage) into a scratch
   * pipeline under the temporary directory, which is opened as any pipeline and deleted once
   * loaded. The served digest is the {@link PairDigest} of the two stage digests.
   */
  public static ServingModel loadPair(Path structure, Path appearance, Device device)
      throws IOException {
    Path scratch = Files.createTempDirectory("mdt-serve-pair");
    try {
      Path dir = scratch.resolve("pipeline");
      Pipelines.write(
          dir,
          structure.toAbsolutePath().normalize(),
          appearance.toAbsolutePath().normalize(),
          PipelineCard.DEFAULT_THRESHOLD);
      Pipelines.Pipeline opened = Pipelines.open(dir);
      PipelineStages p = PipelineStages.load(opened, device);
      try {
        requireClassNames(structure, p.structure().card());
      } catch (IOException e) {
        p.close();
        throw e;
      }
      return new ServingModel(
          p, PairDigest.of(opened.structure().digest(), opened.appearance().digest()));
    } finally {
      deleteTree(scratch);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A scratch directory left behind in the temporary directory harms nothing.
    }
  }

  private static void requireClassNames(Path dir, ModelCard card) throws CorruptArtifactException {
    List<String> names = card.classNames();
    if (names == null || names.isEmpty()) {
      throw new CorruptArtifactException(
          Artifact.MODEL_JSON, dir + ": model.json lists no classNames, nothing to condition on");
    }
  }

  /** The pipeline's stages, or null for a single model. */
  public PipelineStages pipeline() {
    return pipeline;
  }

  /** Whether samples carry RGB colours after the occupancy channel (a pipeline). */
  public boolean coloured() {
    return pipeline != null;
  }

  /** Whether channel 0 of a sample is an occupancy grid: a one-channel model or a pipeline. */
  public boolean occupancy() {
    return pipeline != null || channels() == 1;
  }

  /** {@code pipeline} for a pipeline, else the card's role (teacher, student). */
  public String role() {
    return pipeline != null ? "pipeline" : loaded.card().role();
  }

  /**
   * For each stage (a single model: none), the step counts it serves; a request's steps must be in
   * every one.
   */
  public Map<String, SortedSet<Integer>> stageSteps() {
    Map<String, SortedSet<Integer>> out = new LinkedHashMap<>();
    if (pipeline != null) {
      out.put(Pipelines.STRUCTURE, allowedSteps(pipeline.structure().card()));
      out.put(Pipelines.APPEARANCE, allowedSteps(pipeline.appearance().card()));
    }
    return out;
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

  /** The model's card; for a pipeline, its structure stage's. */
  public ModelCard card() {
    return loaded.card();
  }

  /** The served artifact: the model, or the pipeline (not a stage). */
  public Artifact artifact() {
    return pipeline != null ? pipeline.pipeline().artifact() : loaded.artifact();
  }

  /** The artifact's digest; for two stage directories served together, their pair digest. */
  public String digest() {
    return pairDigest != null ? pairDigest : artifact().digest();
  }

  /** Whether this is two stage directories served together (no pipeline artifact of their own). */
  public boolean pair() {
    return pairDigest != null;
  }

  public int defaultSteps() {
    Integer o = defaultStepsOverride;
    if (o != null) {
      return o;
    }
    return pipeline != null ? pipeline.defaultSteps() : loaded.card().sampler().steps();
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
    if (card().guidanceBakedIn() || (pipeline != null && pipeline.anyStudent())) {
      s.addAll(allowedSteps);
    }
    return s;
  }

  public List<String> classNames() {
    return loaded.card().classNames();
  }

  /** Values per sample, {@code C * R^3}. */
  public int sampleSize() {
    int r = resolution();
    return channels() * r * r * r;
  }

  /** Channels per sample; a pipeline's are the occupancy and then the appearance's (RGB). */
  public int channels() {
    int c = (int) loaded.model().sampleShape().get(0);
    return pipeline != null ? c + pipeline.colourChannels() : c;
  }

  public int resolution() {
    return (int) loaded.model().sampleShape().get(1);
  }

  /** How sampling runs at {@code steps}: a student without CFG, a teacher with its card's CFG. */
  public SamplerSettings settings(int steps) {
    return settings(card(), steps);
  }

  /** Model evaluations per sample at {@code steps}; a pipeline's are both stages'. */
  public int nfePerSample(int steps) {
    int nfe = settings(steps).nfe();
    return pipeline == null ? nfe : nfe + settings(pipeline.appearance().card(), steps).nfe();
  }

  static SamplerSettings settings(ModelCard card, int steps) {
    if (card.guidanceBakedIn()) {
      return SamplerSettings.student(steps);
    }
    SamplerSettings d = card.sampler();
    return new SamplerSettings(steps, d.cfgStrength(), d.rescaleT());
  }

  /**
   * Generates one batch: sample {@code i} is class {@code classes[i]} from the noise of {@code
   * seeds[i]}. Returns {@code C * R^3} floats per sample (data convention: occupancy in [-1, 1]).
   */
  public float[][] generate(int steps, int[] classes, long[] seeds) {
    if (pipeline != null) {
      return pipeline.generate(steps, classes, seeds);
    }
    int n = classes.length;
    int size = sampleSize();
    ByteBuffer noise = noiseBuffer(n * size);
    noiseCalls++;
    this.noise.fill(seeds, size, noise.asFloatBuffer());
    long[] cond = new long[n];
    for (int i = 0; i < n; i++) {
      cond[i] = classes[i];
    }
    Shape shape = new Shape(n).addAll(loaded.model().sampleShape());
    float[][] samples = new float[n][size];
    try (NDManager nd = NDManager.newBaseManager(loaded.model().device())) {
      NDArray x =
          EulerSampler.sample(
              loaded.model(),
              nd.create(noise, shape, DataType.FLOAT32),
              nd.create(cond),
              settings(steps));
      // Straight from the tensor's bytes into each sample, without a flat copy in between.
      FloatBuffer out = x.toByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
      for (float[] sample : samples) {
        out.get(sample);
      }
    }
    return samples;
  }

  /**
   * The batch's noise buffer: direct and in native order, so the upload reads it in place (no copy
   * into a fresh buffer per batch); reused while it fits, the previous batch's tensors being freed.
   */
  private ByteBuffer noiseBuffer(int floats) {
    if (noiseBuffer == null || noiseBuffer.capacity() < floats * Float.BYTES) {
      noiseBuffer = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
    }
    noiseBuffer.clear().limit(floats * Float.BYTES);
    return noiseBuffer;
  }

  /** Replaces the noise (tests count its calls); same values, so outputs do not change. */
  void useNoise(BatchNoise noise) {
    this.noise = noise;
  }

  /** Calls of the noise so far: one per model call (batch) of a single model. */
  long noiseCalls() {
    return noiseCalls;
  }

  /** Frees the model; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (pipeline != null) {
        pipeline.close();
      } else {
        loaded.close();
      }
    }
  }
}
