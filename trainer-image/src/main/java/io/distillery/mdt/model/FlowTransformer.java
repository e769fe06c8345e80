package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.flow.FlowMatching;
import java.util.Random;

/**
 * Dense 3D flow transformer in the style of TRELLIS's sparse-structure flow model: 3D patchify and
 * a linear input layer, fixed sin-cos 3D position embedding, sinusoidal embedding of {@code 1000 t}
 * followed by an MLP, a class embedding with an extra null class, adaLN-modulated blocks
 * (shift/scale/gate for self-attention and for the MLP), a final adaLN layer and a zero-initialised
 * output projection, then unpatchify.
 *
 * <p>Written as a plain function of named tensors ({@link Weights}) rather than DJL blocks so that
 * the same weights can be copied (student from teacher), averaged (EMA), optimised by {@code AdamW}
 * and checkpointed exactly. Linear weights are stored as {@code (in, out)}.
 */
public final class FlowTransformer implements VelocityModel {
  /** Width of the sinusoidal timestep features (TRELLIS: 256). */
  public static final int TIME_FREQ_DIM = 256;

  /** Kernel edge of the optional convolutional stem. */
  private static final int KERNEL = 3;

  private static final int TAPS = KERNEL * KERNEL * KERNEL;

  /** Floor of sigma_t in the data-to-velocity conversion (only times below 0.01 reach it). */
  static final float MIN_SIGMA = 0.01f;

  private final ModelSpec spec;
  private final Weights weights;
  private final TransformerTrunk trunk;
  private final NDArray posEmb;
  private final int grid;
  private final int tokens;

  private FlowTransformer(ModelSpec spec, Weights weights) {
    this.spec = spec;
    this.weights = weights;
    this.grid = spec.resolution / spec.patchSize;
    this.tokens = grid * grid * grid;
    this.trunk = new TransformerTrunk(spec, weights);
    this.posEmb =
        trunk.constant(positionEmbedding(grid, spec.width), new Shape(tokens, spec.width));
  }

  /** A freshly initialised model (deterministic in {@code seed}, whatever the device). */
  public static FlowTransformer create(ModelSpec spec, long seed, Device device) {
    checkSpec(spec);
    Weights w = Weights.create(device);
    TransformerTrunk.Init init = new TransformerTrunk.Init(w, new Random(seed));
    TransformerTrunk.initialise(init, spec, tokenValues(spec), tokenValues(spec));
    int k = spec.convChannels;
    if (k > 0) {
      init.xavier("stem.weight", spec.channels * TAPS, k);
      init.zeros("stem.bias", k);
      init.xavier("head.fc1.weight", 2 * k, k);
      init.zeros("head.fc1.bias", k);
      // Zero like the linear head: the untrained model predicts x0 = 0 everywhere.
      init.zeros("head.fc2.weight", k, spec.channels);
      init.zeros("head.fc2.bias", spec.channels);
    }
    return new FlowTransformer(spec, w);
  }

  /**
   * A model over existing weights (loaded from an artifact or checkpoint); takes ownership of them.
   * Fails naming the first tensor that does not fit the spec.
   */
  public static FlowTransformer withWeights(ModelSpec spec, Weights weights) {
    checkSpec(spec);
    try (FlowTransformer reference = create(spec, 0, Device.cpu())) {
      reference.weights.checkCompatible(weights, "weights for " + describe(spec));
    }
    return new FlowTransformer(spec, weights);
  }

  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    Shape expected =
        new Shape(
            x.getShape().get(0), spec.channels, spec.resolution, spec.resolution, spec.resolution);
    if (!x.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          "input has shape "
              + x.getShape()
              + ", the model expects "
              + expected
              + " ("
              + describe(spec)
              + ")");
    }
    long n = x.getShape().get(0);
    NDArray in = Precision.narrow(x, trunk.computeType());
    NDArray stem = spec.convChannels > 0 ? silu(stemFeatures(in)) : null;
    NDArray sc = trunk.conditioning(tTimes1000, cond, x.getManager());
    NDArray h = trunk.blocks(tokens(in, stem), sc, spec.depth, null);
    NDArray data = unpatchify(trunk.finalLayer(h, sc), n);
    if (stem != null) {
      data = head(NDArrays.concat(new NDList(data, stem), 1));
    }
    // The noise arithmetic in float32: sigma_t reaches 0.01.
    return velocityFromData(x, Precision.widen(data), tTimes1000);
  }

  /**
   * The tokens after the middle block (the first half of the blocks, at least one), mean- and
   * std-pooled over the tokens: {@code (N, 2 width)}. Middle activations carry what the network has
   * recognised of the sample rather than its voxels or its output.
   */
  @Override
  public NDArray features(NDArray x, NDArray tTimes1000, NDArray cond) {
    NDArray in = Precision.narrow(x, trunk.computeType());
    NDArray stem = spec.convChannels > 0 ? silu(stemFeatures(in)) : null;
    NDArray h =
        trunk.blocks(
            tokens(in, stem),
            trunk.conditioning(tTimes1000, cond, x.getManager()),
            Math.max(1, spec.depth / 2),
            null);
    h = Precision.widen(h);
    NDArray mean = h.mean(new int[] {1}, true);
    NDArray std = h.sub(mean).square().mean(new int[] {1}).sqrt();
    return mean.squeeze(1).concat(std, 1);
  }

  private NDArray tokens(NDArray x, NDArray stem) {
    return linear(patchify(stem == null ? x : stem), "input_layer").add(posEmb);
  }

  /**
   * The network's head predicts the clean data {@code x0}, converted here to the flow velocity:
   * from {@code x_t = (1 - t) x0 + sigma_t eps}, {@code v = (1 - sigma_min) (x_t - (1 - t) x0) /
   * sigma_t - x0}. Deliberate deviation from TRELLIS's direct velocity head: with 4^3 patches a
   * token's width must carry 64 independent noise values, which a narrow CPU-sized transformer
   * cannot; predicting x0 lets the noise pass exactly through {@code x_t}. The interface stays
   * {@code v(x, 1000 t, cond)}. {@code sigma_t} is floored at {@link #MIN_SIGMA} so that the rare
   * training times near 0 cannot blow up the loss.
   */
  static NDArray velocityFromData(NDArray x, NDArray data, NDArray tTimes1000) {
    NDArray t = FlowMatching.perSample(tTimes1000.toType(DataType.FLOAT32, false).div(1000f), x);
    double smin = FlowMatching.SIGMA_MIN;
    NDArray sigma = t.mul((float) (1 - smin)).add((float) smin).maximum(MIN_SIGMA);
    NDArray noise = x.sub(data.mul(t.neg().add(1f))).div(sigma);
    return Scalars.mul(noise, 1 - smin).sub(data);
  }

  private NDArray patchify(NDArray x) {
    return patchify(x, grid, spec.patchSize);
  }

  private NDArray unpatchify(NDArray h, long n) {
    return unpatchify(h, n, grid, spec.patchSize);
  }

  /**
   * {@code (N, C, R, R, R)} to {@code (N, grid^3, C p^3)}, patches in row-major (d, h, w) order.
   */
  static NDArray patchify(NDArray x, int grid, int p) {
    long n = x.getShape().get(0);
    long c = x.getShape().get(1);
    return x.reshape(n, c, grid, p, grid, p, grid, p)
        .transpose(0, 2, 4, 6, 1, 3, 5, 7)
        .reshape(n, (long) grid * grid * grid, c * p * p * p);
  }

  /** {@code (N, grid^3, C p^3)} to {@code (N, C, R, R, R)}, the inverse of {@link #patchify}. */
  static NDArray unpatchify(NDArray h, long n, int grid, int p) {
    long r = (long) grid * p;
    long c = h.getShape().get(2) / ((long) p * p * p);
    return h.reshape(n, grid, grid, grid, c, p, p, p)
        .transpose(0, 4, 1, 5, 2, 6, 3, 7)
        .reshape(n, c, r, r, r);
  }

  /**
   * The stem: a 3x3x3 convolution with zero padding, {@code (N, C, R, R, R)} to {@code (N, K, R, R,
   * R)}, computed as one matrix product over the 27 shifted copies of the input. libtorch's CPU
   * conv3d backward took over a second per step at batch 32 here; the product takes milliseconds.
   */
  NDArray stemFeatures(NDArray x) {
    long n = x.getShape().get(0);
    int r = spec.resolution;
    NDArray padded = x.pad(new Shape(1, 1, 1, 1, 1, 1), 0);
    NDList shifts = new NDList(TAPS);
    for (int d = 0; d < KERNEL; d++) {
      for (int h = 0; h < KERNEL; h++) {
        for (int w = 0; w < KERNEL; w++) {
          shifts.add(
              padded.get(":, :, {}:{}, {}:{}, {}:{}", d, d + r, h, h + r, w, w + r).expandDims(2));
        }
      }
    }
    // (N, C, 27, R, R, R) -> (N, R^3, C 27): channel-major taps, the order of a conv weight.
    NDArray columns =
        NDArrays.concat(shifts, 2)
            .reshape(n, (long) spec.channels * TAPS, (long) r * r * r)
            .transpose(0, 2, 1);
    return perVoxel(linear(columns, "stem"), n);
  }

  /** The head: two per-voxel layers over the transformer's and the stem's features. */
  private NDArray head(NDArray features) {
    long n = features.getShape().get(0);
    int r = spec.resolution;
    NDArray columns =
        features.reshape(n, features.getShape().get(1), (long) r * r * r).transpose(0, 2, 1);
    return perVoxel(linear(silu(linear(columns, "head.fc1")), "head.fc2"), n);
  }

  /** {@code (N, R^3, C)} back to {@code (N, C, R, R, R)}. */
  private NDArray perVoxel(NDArray columns, long n) {
    int r = spec.resolution;
    return columns.transpose(0, 2, 1).reshape(n, columns.getShape().get(2), r, r, r);
  }

  /**
   * Values per token, entering and leaving the transformer alike: a patch of the input and of the
   * prediction, or, with the convolutional stem and head, of their features.
   */
  private static int tokenValues(ModelSpec s) {
    int c = s.convChannels > 0 ? s.convChannels : s.channels;
    return c * s.patchSize * s.patchSize * s.patchSize;
  }

  private NDArray linear(NDArray x, String name) {
    return trunk.linear(x, name);
  }

  private static NDArray silu(NDArray x) {
    return TransformerTrunk.silu(x);
  }

  /** An independent model with a copy of these weights (a student initialised from a teacher). */
  public FlowTransformer copy() {
    return new FlowTransformer(spec, weights.copy());
  }

  @Override
  public Weights weights() {
    return weights;
  }

  @Override
  public int numClasses() {
    return spec.numClasses;
  }

  @Override
  public Shape sampleShape() {
    return new Shape(spec.channels, spec.resolution, spec.resolution, spec.resolution);
  }

  @Override
  public Device device() {
    return weights.device();
  }

  public ModelSpec spec() {
    return spec;
  }

  @Override
  public void close() {
    trunk.close();
    weights.close();
  }

  /** One line naming the architecture, for messages. */
  public static String describe(ModelSpec s) {
    return String.format(
        "resolution %d, channels %d, patch %d, width %d, depth %d, heads %d, mlpRatio %s, classes %d%s",
        s.resolution,
        s.channels,
        s.patchSize,
        s.width,
        s.depth,
        s.heads,
        s.mlpRatio,
        s.numClasses,
        s.convChannels > 0 ? ", conv stem/head " + s.convChannels : "");
  }

  static void checkSpec(ModelSpec s) {
    if (s.resolution < 1 || s.patchSize < 1 || s.resolution % s.patchSize != 0) {
      throw new IllegalArgumentException(
          "model.patchSize " + s.patchSize + " must divide model.resolution " + s.resolution);
    }
    if (s.width < 6 || s.heads < 1 || s.width % s.heads != 0) {
      throw new IllegalArgumentException(
          "model.width "
              + s.width
              + " must be a multiple of model.heads "
              + s.heads
              + " and at least 6");
    }
    if (s.depth < 1 || s.channels < 1 || s.numClasses < 1 || s.mlpRatio <= 0) {
      throw new IllegalArgumentException(
          "model.depth, channels, numClasses and mlpRatio must be positive");
    }
    if (s.convChannels < 0) {
      throw new IllegalArgumentException("model.convChannels must be 0 (none) or positive");
    }
  }

  /**
   * Fixed 3D sin-cos embedding of the patch coordinates (TRELLIS AbsolutePositionEmbedder): per
   * axis {@code sin(x f), cos(x f)} with {@code f = 10000^(-i / k)}, {@code k = width / 6},
   * concatenated and zero-padded to the width. Row-major token order (d, h, w).
   */
  static float[] positionEmbedding(int grid, int width) {
    int k = width / 3 / 2;
    int tokens = grid * grid * grid;
    float[] out = new float[tokens * width];
    for (int tok = 0; tok < tokens; tok++) {
      int[] coord = {tok / (grid * grid), (tok / grid) % grid, tok % grid};
      for (int axis = 0; axis < 3; axis++) {
        for (int i = 0; i < k; i++) {
          double arg = coord[axis] * Math.pow(10000, -(double) i / k);
          out[tok * width + axis * 2 * k + i] = (float) Math.sin(arg);
          out[tok * width + axis * 2 * k + k + i] = (float) Math.cos(arg);
        }
      }
    }
    return out;
  }
}
