package io.distillery.mdt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import io.distillery.config.TrainerConfig.ModelSpec;
import java.util.Random;

/**
 * The transformer shared by the dense {@link FlowTransformer} and the {@link
 * SparseFlowTransformer}: input layer, timestep and class embedding, adaLN blocks (attention with
 * an optional key mask, MLP) and the final adaLN layer, over tokens {@code (N, L, width)}. What
 * tokens are (all patches or the occupied cells) is the caller's business.
 */
final class TransformerTrunk implements AutoCloseable {
  private static final float LN_EPS = 1e-6f;

  private final ModelSpec spec;
  private final Weights weights;
  private final DataType compute;
  private final NDManager constants;
  private final NDArray timeFreqs;
  private final NDArray lnOnes;
  private final NDArray lnZeros;

  TransformerTrunk(ModelSpec spec, Weights weights) {
    this.spec = spec;
    this.weights = weights;
    this.compute = weights.get("input_layer.weight").getDataType();
    this.constants = NDManager.newBaseManager(weights.device());
    // float32 whatever the compute type: 1000 t times a frequency needs more than fp16's 11 bits.
    this.timeFreqs =
        constants.create(timeFrequencies(), new Shape(1, FlowTransformer.TIME_FREQ_DIM / 2));
    this.lnOnes = constants.ones(new Shape(spec.width), compute);
    this.lnZeros = constants.zeros(new Shape(spec.width), compute);
  }

  /** The type the trunk computes in: its weights' ({@link Precision}). */
  DataType computeType() {
    return compute;
  }

  /** A constant of the model in the compute type, kept as long as the model. */
  NDArray constant(float[] values, Shape shape) {
    NDArray a = constants.create(values, shape);
    if (compute == DataType.FLOAT32) {
      return a;
    }
    NDArray narrowed = Precision.narrow(a, compute);
    a.close();
    return narrowed;
  }

  /**
   * Initialises the trunk's tensors in a fixed order (the order fixes the weights a seed gives):
   * input layer from {@code inValues} per token, embedders, blocks, final layer to {@code
   * outValues} per token.
   */
  static void initialise(Init init, ModelSpec spec, int inValues, int outValues) {
    int width = spec.width;
    init.xavier("input_layer.weight", inValues, width);
    init.zeros("input_layer.bias", width);
    init.normal("t_embedder.mlp.0.weight", 0.02, FlowTransformer.TIME_FREQ_DIM, width);
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
    // Zero: the untrained model predicts x0 = 0 everywhere.
    init.zeros("final_layer.linear.weight", width, outValues);
    init.zeros("final_layer.linear.bias", outValues);
  }

  /** Constants that live as long as the model (position embeddings). */
  NDManager constants() {
    return constants;
  }

  /** {@code silu(t_emb + class_emb)}, {@code (N, width)}; results in {@code scope}. */
  NDArray conditioning(NDArray tTimes1000, NDArray cond, NDManager scope) {
    return silu(timestepEmbedding(tTimes1000).add(classEmbedding(cond, scope)));
  }

  /**
   * The first {@code count} blocks over tokens {@code h}. {@code keyBias}, if not null, is added to
   * the attention scores, {@code (N, 1, 1, L)}: 0 for real keys, a large negative number for
   * padding, so that no token attends to padding.
   */
  NDArray blocks(NDArray h, NDArray sc, int count, NDArray keyBias) {
    long n = h.getShape().get(0);
    for (int i = 0; i < count; i++) {
      h = block(h, sc, "blocks." + i + ".", n, keyBias);
    }
    return h;
  }

  /** The final adaLN layer and output projection, {@code (N, L, outValues)}. */
  NDArray finalLayer(NDArray h, NDArray sc) {
    long n = h.getShape().get(0);
    NDList mod =
        linear(sc, "final_layer.adaLN_modulation").reshape(n, 1, 2L * spec.width).split(2, 2);
    return linear(modulate(layerNorm(h), mod.get(0), mod.get(1)), "final_layer.linear");
  }

  private NDArray block(NDArray h, NDArray sc, String p, long n, NDArray keyBias) {
    NDList m = linear(sc, p + "adaLN_modulation").reshape(n, 1, 6L * spec.width).split(6, 2);
    NDArray a = attention(modulate(layerNorm(h), m.get(0), m.get(1)), p + "attn.", n, keyBias);
    h = h.add(a.mul(m.get(2)));
    NDArray f =
        linear(
            Activation.gelu(linear(modulate(layerNorm(h), m.get(3), m.get(4)), p + "mlp.fc1")),
            p + "mlp.fc2");
    return h.add(f.mul(m.get(5)));
  }

  private NDArray attention(NDArray h, String p, long n, NDArray keyBias) {
    int heads = spec.heads;
    int headDim = spec.width / heads;
    long tokens = h.getShape().get(1);
    NDArray qkv =
        linear(h, p + "to_qkv").reshape(n, tokens, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
    NDArray q = qkv.get(0);
    NDArray k = qkv.get(1);
    NDArray v = qkv.get(2);
    NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headDim));
    if (keyBias != null) {
      scores = scores.add(keyBias);
    }
    NDArray o = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(n, tokens, spec.width);
    return linear(o, p + "to_out");
  }

  private NDArray timestepEmbedding(NDArray tTimes1000) {
    NDArray args = tTimes1000.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(timeFreqs);
    NDArray feats =
        Precision.narrow(NDArrays.concat(new NDList(args.cos(), args.sin()), 1), compute);
    return linear(silu(linear(feats, "t_embedder.mlp.0")), "t_embedder.mlp.2");
  }

  private NDArray classEmbedding(NDArray cond, NDManager scope) {
    NDArray oneHot =
        Precision.narrow(cond.toType(DataType.INT64, false).oneHot(spec.numClasses + 1), compute);
    oneHot.attach(scope);
    return oneHot.matMul(weights.get("cond_embedder.weight"));
  }

  NDArray linear(NDArray x, String name) {
    return x.matMul(weights.get(name + ".weight")).add(weights.get(name + ".bias"));
  }

  private NDArray layerNorm(NDArray h) {
    return LayerNorm.layerNorm(h, new Shape(spec.width), lnOnes, lnZeros, LN_EPS)
        .singletonOrThrow();
  }

  private static NDArray modulate(NDArray h, NDArray shift, NDArray scale) {
    return h.mul(scale.add(1f)).add(shift);
  }

  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  static int mlpHidden(ModelSpec s) {
    return (int) Math.round(s.width * s.mlpRatio);
  }

  /** {@code exp(-ln(10000) i / half)}, the TRELLIS timestep frequencies. */
  static float[] timeFrequencies() {
    int half = FlowTransformer.TIME_FREQ_DIM / 2;
    float[] f = new float[half];
    for (int i = 0; i < half; i++) {
      f[i] = (float) Math.exp(-Math.log(10000) * i / half);
    }
    return f;
  }

  @Override
  public void close() {
    constants.close();
  }

  /** Seeded initialisers (TRELLIS/DiT: xavier-uniform linears, N(0, 0.02) embeddings). */
  record Init(Weights w, Random rng) {
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
