package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
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

  private static final float LN_EPS = 1e-6f;

  /** Kernel edge of the optional convolutional stem. */
  private static final int KERNEL = 3;

  private static final int TAPS = KERNEL * KERNEL * KERNEL;

  /** Floor of sigma_t in the data-to-velocity conversion (only times below 0.01 reach it). */
  static final float MIN_SIGMA = 0.01f;

  private final ModelSpec spec;
  private final Weights weights;
  private final NDManager constants;
  private final NDArray posEmb;
  private final NDArray timeFreqs;
  private final NDArray lnOnes;
  private final NDArray lnZeros;
  private final int grid;
  private final int tokens;
  private final int mlpHidden;

  private FlowTransformer(ModelSpec spec, Weights weights) {
    this.spec = spec;
    this.weights = weights;
    this.grid = spec.resolution / spec.patchSize;
    this.tokens = grid * grid * grid;
    this.mlpHidden = mlpHidden(spec);
    this.constants = NDManager.newBaseManager(weights.device());
    this.posEmb =
        constants.create(positionEmbedding(grid, spec.width), new Shape(tokens, spec.width));
    this.timeFreqs = constants.create(timeFrequencies(), new Shape(1, TIME_FREQ_DIM / 2));
    this.lnOnes = constants.ones(new Shape(spec.width));
    this.lnZeros = constants.zeros(new Shape(spec.width));
  }

  /** A freshly initialised model (deterministic in {@code seed}, whatever the device). */
  public static FlowTransformer create(ModelSpec spec, long seed, Device device) {
    checkSpec(spec);
    Weights w = Weights.create(device);
    Init init = new Init(w, new Random(seed));
    int width = spec.width;
    init.xavier("input_layer.weight", tokenValues(spec), width);
    init.zeros("input_layer.bias", width);
    init.normal("t_embedder.mlp.0.weight", 0.02, TIME_FREQ_DIM, width);
    init.zeros("t_embedder.mlp.0.bias", width);
    init.normal("t_embedder.mlp.2.weight", 0.02, width, width);
    init.zeros("t_embedder.mlp.2.bias", width);
    init.normal("cond_embedder.weight", 0.02, spec.numClasses + 1, width);
    for (int i = 0; i < spec.depth; i++) {
      String b = "blocks." + i + ".";
      init.zeros(b + "adaLN_modulation.weight", width, 6 * width);
      init.zeros(b + "adaLN_modulation.bias", 6 * width);
      init.xavier(b + "attn.to_qkv.weight", width, 3 * width);
      init.zeros(b + "attn.to_qkv.bias", 3 * width);
      init.xavier(b + "attn.to_out.weight", width, width);
      init.zeros(b + "attn.to_out.bias", width);
      init.xavier(b + "mlp.fc1.weight", width, mlpHidden(spec));
      init.zeros(b + "mlp.fc1.bias", mlpHidden(spec));
      init.xavier(b + "mlp.fc2.weight", mlpHidden(spec), width);
      init.zeros(b + "mlp.fc2.bias", width);
    }
    init.zeros("final_layer.adaLN_modulation.weight", width, 2 * width);
    init.zeros("final_layer.adaLN_modulation.bias", 2 * width);
    init.zeros("final_layer.linear.weight", width, tokenValues(spec));
    init.zeros("final_layer.linear.bias", tokenValues(spec));
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
    NDArray stem = spec.convChannels > 0 ? silu(stemFeatures(x)) : null;
    NDArray sc = conditioning(x, tTimes1000, cond);
    NDArray h = blocks(tokens(x, stem), sc, spec.depth);
    NDList mod =
        linear(sc, "final_layer.adaLN_modulation").reshape(n, 1, 2L * spec.width).split(2, 2);
    h = modulate(layerNorm(h), mod.get(0), mod.get(1));
    NDArray data = unpatchify(linear(h, "final_layer.linear"), n);
    if (stem != null) {
      data = head(NDArrays.concat(new NDList(data, stem), 1));
    }
    return velocityFromData(x, data, tTimes1000);
  }

  /**
   * The tokens after the middle block (the first half of the blocks, at least one), mean- and
   * std-pooled over the tokens: {@code (N, 2 width)}. Middle activations carry what the network has
   * recognised of the sample rather than its voxels or its output.
   */
  @Override
  public NDArray features(NDArray x, NDArray tTimes1000, NDArray cond) {
    NDArray stem = spec.convChannels > 0 ? silu(stemFeatures(x)) : null;
    NDArray h =
        blocks(tokens(x, stem), conditioning(x, tTimes1000, cond), Math.max(1, spec.depth / 2));
    NDArray mean = h.mean(new int[] {1}, true);
    NDArray std = h.sub(mean).square().mean(new int[] {1}).sqrt();
    return mean.squeeze(1).concat(std, 1);
  }

  private NDArray tokens(NDArray x, NDArray stem) {
    return linear(patchify(stem == null ? x : stem), "input_layer").add(posEmb);
  }

  private NDArray conditioning(NDArray x, NDArray tTimes1000, NDArray cond) {
    return silu(timestepEmbedding(tTimes1000).add(classEmbedding(cond, x.getManager())));
  }

  private NDArray blocks(NDArray h, NDArray sc, int count) {
    long n = h.getShape().get(0);
    for (int i = 0; i < count; i++) {
      h = block(h, sc, "blocks." + i + ".", n);
    }
    return h;
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

  private NDArray block(NDArray h, NDArray sc, String p, long n) {
    NDList m = linear(sc, p + "adaLN_modulation").reshape(n, 1, 6L * spec.width).split(6, 2);
    NDArray a = attention(modulate(layerNorm(h), m.get(0), m.get(1)), p + "attn.", n);
    h = h.add(a.mul(m.get(2)));
    NDArray f =
        linear(
            Activation.gelu(linear(modulate(layerNorm(h), m.get(3), m.get(4)), p + "mlp.fc1")),
            p + "mlp.fc2");
    return h.add(f.mul(m.get(5)));
  }

  private NDArray attention(NDArray h, String p, long n) {
    int heads = spec.heads;
    int headDim = spec.width / heads;
    NDArray qkv =
        linear(h, p + "to_qkv").reshape(n, tokens, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
    NDArray q = qkv.get(0);
    NDArray k = qkv.get(1);
    NDArray v = qkv.get(2);
    NDArray scores =
        Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headDim)).softmax(-1);
    NDArray o = scores.matMul(v).transpose(0, 2, 1, 3).reshape(n, tokens, spec.width);
    return linear(o, p + "to_out");
  }

  private NDArray timestepEmbedding(NDArray tTimes1000) {
    NDArray args = tTimes1000.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(timeFreqs);
    NDArray feats = NDArrays.concat(new NDList(args.cos(), args.sin()), 1);
    return linear(silu(linear(feats, "t_embedder.mlp.0")), "t_embedder.mlp.2");
  }

  private NDArray classEmbedding(NDArray cond, NDManager scope) {
    NDArray oneHot = cond.toType(DataType.INT64, false).oneHot(spec.numClasses + 1);
    oneHot.attach(scope);
    return oneHot.matMul(weights.get("cond_embedder.weight"));
  }

  /** {@code (N, C, R, R, R)} to {@code (N, tokens, C p^3)}. */
  private NDArray patchify(NDArray x) {
    int p = spec.patchSize;
    long n = x.getShape().get(0);
    long c = x.getShape().get(1);
    return x.reshape(n, c, grid, p, grid, p, grid, p)
        .transpose(0, 2, 4, 6, 1, 3, 5, 7)
        .reshape(n, tokens, c * p * p * p);
  }

  /** {@code (N, tokens, C p^3)} to {@code (N, C, R, R, R)}. */
  private NDArray unpatchify(NDArray h, long n) {
    int p = spec.patchSize;
    int r = spec.resolution;
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
    return x.matMul(weights.get(name + ".weight")).add(weights.get(name + ".bias"));
  }

  private NDArray layerNorm(NDArray h) {
    return LayerNorm.layerNorm(h, new Shape(spec.width), lnOnes, lnZeros, LN_EPS)
        .singletonOrThrow();
  }

  private static NDArray modulate(NDArray h, NDArray shift, NDArray scale) {
    return h.mul(scale.add(1f)).add(shift);
  }

  private static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
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
    constants.close();
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

  private static int mlpHidden(ModelSpec s) {
    return (int) Math.round(s.width * s.mlpRatio);
  }

  private static void checkSpec(ModelSpec s) {
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

  /** {@code exp(-ln(10000) i / half)}, the TRELLIS timestep frequencies. */
  static float[] timeFrequencies() {
    int half = TIME_FREQ_DIM / 2;
    float[] f = new float[half];
    for (int i = 0; i < half; i++) {
      f[i] = (float) Math.exp(-Math.log(10000) * i / half);
    }
    return f;
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

  /** Seeded initialisers (TRELLIS/DiT: xavier-uniform linears, N(0, 0.02) embeddings). */
  private record Init(Weights w, Random rng) {
    void xavier(String name, int in, int out) {
      double bound = Math.sqrt(6.0 / (in + out));
      float[] v = new float[in * out];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
      }
      w.put(name, w.manager().create(v, new Shape(in, out)));
    }

    void normal(String name, double std, int rows, int cols) {
      float[] v = new float[rows * cols];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextGaussian() * std);
      }
      w.put(name, w.manager().create(v, new Shape(rows, cols)));
    }

    void zeros(String name, long... shape) {
      w.put(name, w.manager().zeros(new Shape(shape)));
    }
  }
}
