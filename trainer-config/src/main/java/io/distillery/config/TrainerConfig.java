package io.distillery.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer configuration file: what the operator renders into a ConfigMap and what {@code mdt
 * train-teacher | distill | evaluate} reads (YAML or JSON, the same schema). Every field has a
 * default, so an empty file is a valid configuration of the built-in demo. Unknown keys are an
 * error that names the key (see {@link TrainerConfigs#read}).
 *
 * <p>Conventions follow docs/algorithm.md: time runs from 1 (noise) to 0 (data); networks are
 * called as {@code v(x, 1000 t, cond)}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainerConfig {

  @JsonPropertyDescription("The many-step flow-matching teacher to distill.")
  public Teacher teacher = new Teacher();

  @JsonPropertyDescription(
      "Training data: the built-in voxel shapes or a directory of .npy/.npz shards.")
  public Dataset dataset = new Dataset();

  @JsonPropertyDescription(
      "Which flow of the two-stage generator this job trains or distills: `structure` (which voxels"
          + " of a dense grid are occupied) or `appearance` (features, e.g. RGB, on the occupied"
          + " voxels of a structure; a sparse transformer over those voxels). Fields a config"
          + " leaves out take the stage's defaults: for `appearance` 3 channels, patch 2, width"
          + " 96, 3 blocks and an unguided teacher (cfgStrength, cfgTeacherVM and cfgTeacherVD 0),"
          + " as the shipped appearance teacher was trained and measured.")
  public Stage stage = Stage.STRUCTURE;

  @JsonPropertyDescription("Architecture of a teacher trained by `mdt train-teacher`.")
  public ModelSpec model = new ModelSpec();

  @JsonPropertyDescription(
      "Distillation method: `mdt` (MDT-dist) or `cm` (consistency distillation baseline).")
  public Method method = Method.MDT;

  @JsonPropertyDescription("Sampling step counts the students are trained for (each 1-8).")
  public List<Integer> studentSteps = new ArrayList<>(List.of(1, 2));

  @JsonPropertyDescription("Optimisation and loss settings.")
  public Hyperparameters hyperparameters = new Hyperparameters();

  @JsonPropertyDescription("Evaluation of the result and the quality/speed gate.")
  public Evaluation evaluation = new Evaluation();

  @JsonPropertyDescription("Where checkpoints, artifacts and reports are written.")
  public Output output = new Output();

  @JsonPropertyDescription("Steps between checkpoints (resume continues from the newest).")
  public int checkpointEverySteps = 200;

  @JsonPropertyDescription("Compute device: `auto` (GPU when DJL finds one), `cpu` or `gpu`.")
  public String device = "auto";

  @JsonPropertyDescription(
      "Data-parallel replicas, one per device, sharing each step's global batch (summed gradients,"
          + " one optimiser step): 0 (default) means one per visible GPU, or one on the CPU. On"
          + " GPUs it must not exceed the GPUs visible; on the CPU N replicas run in turn (the"
          + " same result as one, for testing). Not part of the run's fingerprint: a run may"
          + " resume on another device count.")
  public int replicas = 0;

  @JsonPropertyDescription(
      "Port of the HTTP endpoint serving /progress and /metrics during training; 0 disables it.")
  public int progressPort = 8080;

  @JsonPropertyDescription(
      "Where the final result JSON is also written for the kubelet (termination message).")
  public String terminationMessagePath = "/dev/termination-log";

  /**
   * Every field at its default for {@code stage}. The appearance stage's defaults are those of the
   * shipped appearance teacher: RGB, a finer patch and no guidance, which on its data pushes
   * colours past the palette (measured:
   * trainer-image/src/main/resources/models/appearance-16/TRAINED_WITH.md).
   */
  public static TrainerConfig defaultsFor(Stage stage) {
    TrainerConfig c = new TrainerConfig();
    c.stage = stage;
    if (stage == Stage.APPEARANCE) {
      c.model.channels = 3;
      c.model.patchSize = 2;
      c.model.width = 96;
      c.model.depth = 3;
      c.teacher.sampler.cfgStrength = 0;
      c.hyperparameters.cfgTeacherVM = 0;
      c.hyperparameters.cfgTeacherVD = 0;
    }
    return c;
  }

  /** The two flows of a TRELLIS-like generator (docs/algorithm.md section 9). */
  public enum Stage {
    @com.fasterxml.jackson.annotation.JsonProperty("structure")
    STRUCTURE,
    @com.fasterxml.jackson.annotation.JsonProperty("appearance")
    APPEARANCE
  }

  /** Which loss the student is distilled with. */
  public enum Method {
    @com.fasterxml.jackson.annotation.JsonProperty("mdt")
    MDT,
    @com.fasterxml.jackson.annotation.JsonProperty("cm")
    CM
  }

  /** The teacher model and how it samples. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Teacher {
    @JsonPropertyDescription(
        "Teacher location: `builtin:shipped` (the teacher in the image), a directory path or `file://`/`pvc://` URI of a Distillery artifact, or a TorchScript file.")
    public String uri = "builtin:shipped";

    @JsonPropertyDescription("`djl` (a Distillery artifact) or `torchscript` (v(x, 1000 t, cond)).")
    public String format = "djl";

    @JsonPropertyDescription("How the teacher samples (the baseline the student must match).")
    public Sampler sampler = new Sampler();
  }

  /** Euler sampler settings. */
  public static class Sampler {
    @JsonPropertyDescription("Euler steps of the teacher's reference sampler.")
    public int steps = 25;

    @JsonPropertyDescription("Classifier-free guidance strength w: v = (1 + w) v(c) - w v(null).")
    public double cfgStrength = 3.0;

    @JsonPropertyDescription(
        "Time-grid rescale r: t <- r t / (1 + (r - 1) t); 1 leaves the grid linear.")
    public double rescaleT = 1.0;
  }

  /** Training data. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Dataset {
    @JsonPropertyDescription(
        "`builtin:shapes` (generated voxel shapes) or a directory/URI of .npy/.npz shards.")
    public String uri = "builtin:shapes";

    @JsonPropertyDescription("Grid resolution of the built-in shapes (16 or 32).")
    public int resolution = 16;

    @JsonPropertyDescription("Number of training samples generated for the built-in shapes.")
    public int trainSamples = 4096;

    @JsonPropertyDescription("Number of held-out samples (never trained on) for evaluation.")
    public int heldOutSamples = 512;

    @JsonPropertyDescription("Seed of the built-in dataset.")
    public long seed = 7;

    @JsonPropertyDescription(
        "Appearance-stage distillation only: a structure model's artifact directory (`mdt train`"
            + " or `mdt distill` of the structure stage) whose samples are the structures to"
            + " colour, instead of `uri`, which is then not read. trainSamples and heldOutSamples"
            + " structures are sampled with the model card's sampler from `seed`, thresholded at 0"
            + " and the empty ones left out; the model's resolution and classes must be the"
            + " appearance teacher's. Unset: the structures come from `uri` (`builtin:shapes`, with"
            + " procedural colours as ground truth, or a structure dataset of your own, whose"
            + " channel 0 above 0 is the occupancy).")
    public String structureModel;
  }

  /** Dense 3D flow transformer (TRELLIS sparse-structure flow style). */
  public static class ModelSpec {
    @JsonPropertyDescription("Grid resolution (cubic).")
    public int resolution = 16;

    @JsonPropertyDescription(
        "Channels per voxel (1 for occupancy, 8 for TRELLIS sparse-structure latents).")
    public int channels = 1;

    @JsonPropertyDescription("Patch edge length for 3D patchify.")
    public int patchSize = 4;

    @JsonPropertyDescription("Transformer width.")
    public int width = 64;

    @JsonPropertyDescription("Number of adaLN transformer blocks.")
    public int depth = 2;

    @JsonPropertyDescription("Attention heads.")
    public int heads = 4;

    @JsonPropertyDescription("MLP hidden size as a multiple of the width.")
    public double mlpRatio = 4.0;

    @JsonPropertyDescription("Number of classes (an extra null class is added for CFG).")
    public int numClasses = 8;

    @JsonPropertyDescription(
        "Channels of the 3x3x3 convolutional stem and head around the transformer at full"
            + " resolution (0: none, a linear patch embedding and head as in TRELLIS). The head"
            + " sees the stem's features beside the transformer's, so voxel-level detail need"
            + " not pass through the coarse tokens.")
    public int convChannels = 0;
  }

  /** Optimisation and loss settings, for teacher training and distillation alike. */
  public static class Hyperparameters {
    @JsonPropertyDescription("Optimiser steps.")
    public int maxSteps = 600;

    @JsonPropertyDescription("Samples per step.")
    public int batchSize = 24;

    @JsonPropertyDescription("AdamW learning rate.")
    public double learningRate = 1e-5;

    @JsonPropertyDescription("AdamW weight decay.")
    public double weightDecay = 0.0;

    @JsonPropertyDescription("Linear learning-rate warm-up steps.")
    public int warmupSteps = 0;

    @JsonPropertyDescription("EMA rate of the exported weights.")
    public double emaRate = 0.999;

    @JsonPropertyDescription("Weight of the Velocity Matching loss.")
    public double lambdaVM = 1.0;

    // 0.1, not the paper's 1: on the shipped teacher lambda_vd 1 gave a worse 1-step student
    // (BENCHMARKS.md, re-tuning sweep).
    @JsonPropertyDescription("Weight of the Velocity Distillation loss.")
    public double lambdaVD = 0.1;

    // Guided targets in both terms: the student should carry the guided teacher's transport, the
    // one the 25-step reference samples with (BENCHMARKS.md, re-tuning sweep on the 30000-step
    // teacher; on the old 4000-step teacher unguided VM targets had measured better).
    @JsonPropertyDescription("Teacher CFG strength inside the VM term.")
    public double cfgTeacherVM = 3.0;

    @JsonPropertyDescription("Teacher CFG strength inside the VD term.")
    public double cfgTeacherVD = 3.0;

    @JsonPropertyDescription(
        "Interval delta of the discrete teacher Euler step and the time schedule shift.")
    public double interval = 0.01;

    // false: normalising d leaves the target almost the teacher's velocity, and the 1-step student
    // as blurred as the 1-step teacher (FD 77 against 18-34 without; docs/algorithm.md section 3).
    @JsonPropertyDescription("Normalise the finite-difference du/dt per sample: d / (||d|| + 0.1).")
    public boolean dNorm = false;

    @JsonPropertyDescription(
        "Weight each sample's VM and VD residual by delta / (t + delta): with dNorm false the VM"
            + " gradient is then a regression onto its fixed point instead of (1 + t / delta) times"
            + " one.")
    public boolean intervalWeighting = true;

    @JsonPropertyDescription(
        "Distillation: the no-gradient student passes that give the targets use the student's EMA"
            + " weights (a target network) instead of its current weights. Unset: true for cm"
            + " (consistency distillation's target network; without it CM diverged at 400 steps),"
            + " false for mdt (the paper's stop-gradient student; 1-step FD 18 against 36 with"
            + " it).")
    public Boolean emaTarget = null;

    /** {@link #emaTarget}, or the method's own default when unset. */
    public boolean emaTargetFor(Method method) {
      return emaTarget != null ? emaTarget : method == Method.CM;
    }

    @JsonPropertyDescription("Logit-normal time schedule.")
    public TimeSchedule tSchedule = new TimeSchedule();

    @JsonPropertyDescription("Adaptive global-norm gradient clipping.")
    public GradClip gradClip = new GradClip();

    @JsonPropertyDescription(
        "Condition dropout probability when training a teacher (gives the null class).")
    public double pUncond = 0.1;

    @JsonPropertyDescription("Consistency distillation: number of trajectory phases (cm only).")
    public int multiphase = 1;

    @JsonPropertyDescription(
        "Number format of the trained network's forward and backward passes: `fp32` (default), or"
            + " `fp16`: float16 compute replicas of float32 master weights with dynamic loss"
            + " scaling (optimiser, EMA and checkpoints stay float32). Built-in networks only; meant"
            + " for GPUs (on the CPU float16 is slower). bf16 is not available in DJL's PyTorch"
            + " engine.")
    public String precision = "fp32";

    @JsonPropertyDescription("Random seed of initialisation, batches and noise.")
    public long seed = 42;
  }

  /** s = sigmoid(N(mean, std)), t = sigma_min + delta + (1 - delta - sigma_min) s. */
  public static class TimeSchedule {
    @JsonPropertyDescription("Mean of the logit-normal distribution.")
    public double mean = 1.0;

    @JsonPropertyDescription("Standard deviation of the logit-normal distribution.")
    public double std = 1.0;
  }

  /** Clip the global gradient norm to min(maxNorm, percentile of the last window norms). */
  public static class GradClip {
    @JsonPropertyDescription("Upper bound of the clip norm.")
    public double maxNorm = 1.0;

    @JsonPropertyDescription(
        "Percentile (0-100) of recent global norms used as the adaptive bound.")
    public double percentile = 95.0;

    @JsonPropertyDescription("Number of recent global norms kept for the percentile.")
    public int window = 1000;
  }

  /** Evaluation and gates. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Evaluation {
    @JsonPropertyDescription("Generated samples per model for the metrics.")
    public int samples = 256;

    @JsonPropertyDescription("Seed of the evaluation noise and conditions.")
    public long seed = 1234;

    @JsonPropertyDescription(
        "Gate: student FD / teacher (reference steps) FD must not exceed this; null disables.")
    public Double maxFdRatio;

    @JsonPropertyDescription(
        "Gate: student speedup over the teacher must be at least this; null disables.")
    public Double minSpeedup;

    @JsonPropertyDescription(
        "Gate: the student's mean paired error (relative L2 distance of its sample to the"
            + " teacher's reference sample from the same noise and condition) must not exceed"
            + " this, at every step count; null disables. Needs no classifier: any teacher.")
    public Double maxPairedError;

    @JsonPropertyDescription(
        "Gate for occupancy data (1 channel, filled where above 0): the mean IoU of the student's"
            + " and the teacher's grids from the same noise and condition must be at least this,"
            + " at every step count; null disables.")
    public Double minPairedIoU;

    @JsonPropertyDescription(
        "Features of the FD and coverage figures; unset: the built-in classifier for the built-in"
            + " 16^3 shapes, the teacher's own features for other data.")
    public Features features;
  }

  /**
   * The feature extractor behind FD, precision, recall and coverage (trainer-image/EVALUATION.md).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Features {
    public static final String CLASSIFIER = "builtin:classifier";
    public static final String TEACHER = "builtin:teacher";

    @JsonPropertyDescription(
        "`builtin:classifier` (the shipped shape classifier: built-in 16^3 shapes only),"
            + " `builtin:teacher` (pooled middle-block activations of the teacher at t = 0.1), or"
            + " the path / `file://` URI of a TorchScript module computing features(x) -> (N, D).")
    public String uri;

    @JsonPropertyDescription(
        "SHA-256 of the TorchScript module file, `sha256:<hex>`; required for a module, so that"
            + " figures computed on different features are never compared by mistake.")
    public String digest;
  }

  /** Output location. */
  public static class Output {
    @JsonPropertyDescription("Directory for checkpoints, artifacts, reports and result.json.")
    public String dir = "out";

    @JsonPropertyDescription(
        "Optional s3://bucket/prefix the run publishes to; output.dir is then local scratch that"
            + " mirrors it: complete checkpoints under <uri>/checkpoints are downloaded at start and"
            + " every checkpoint is uploaded when written (SHA256SUMS last), and the artifacts"
            + " (manifest.json last) and result.json are uploaded at the end. The result then names"
            + " the artifact by its s3:// URI. Connection settings: the AWS_* environment variables"
            + " (trainer-image README).")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String uri;
  }
}
