package io.distillery.mdt.bench;

import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.model.FlowTransformer;

/**
 * Floating-point operations of the dense {@link FlowTransformer}, counted from its layer shapes: a
 * matrix product of {@code (m, k)} by {@code (k, n)} is {@code 2 m k n}; attention adds {@code 2
 * L^2 width} for the scores and as much for their product with the values. Element-wise work
 * (norms, activations, softmax, the velocity conversion) is left out: it is a few percent of the
 * products at these widths, and it is what "achieved against a matmul peak" should expose, not
 * hide. A backward pass costs about twice its forward pass (gradients of inputs and of weights).
 */
public final class NetworkFlops {
  private NetworkFlops() {}

  /** A linear layer applied to every token: {@code in} values to {@code out}. */
  public record Layer(String name, long in, long out) {}

  /** Forward FLOPs of one sample. */
  public static long forwardPerSample(ModelSpec s) {
    long tokens = tokens(s);
    long d = s.width;
    long hidden = Math.round(s.width * s.mlpRatio);
    long values = tokenValues(s);
    long flops = linear(tokens, values, d); // input layer
    flops += linear(1, FlowTransformer.TIME_FREQ_DIM, d) + linear(1, d, d); // timestep MLP
    flops += linear(1, s.numClasses + 1L, d); // one-hot class embedding
    long block =
        linear(1, d, 6 * d) // adaLN modulation
            + linear(tokens, d, 3 * d) // q, k, v
            + 2 * 2 * tokens * tokens * d // scores and their product with the values
            + linear(tokens, d, d) // attention output
            + linear(tokens, d, hidden)
            + linear(tokens, hidden, d); // MLP
    flops += s.depth * block;
    flops += linear(1, d, 2 * d) + linear(tokens, d, values); // final adaLN and projection
    if (s.convChannels > 0) {
      long voxels = (long) s.resolution * s.resolution * s.resolution;
      long k = s.convChannels;
      flops += linear(voxels, s.channels * 27L, k); // stem
      flops += linear(voxels, 2 * k, k) + linear(voxels, k, s.channels); // head
    }
    return flops;
  }

  /** Tokens per sample: patches of the grid. */
  public static long tokens(ModelSpec s) {
    long grid = s.resolution / s.patchSize;
    return grid * grid * grid;
  }

  /**
   * The per-token linear layer with the most weights: its matrix product at the batch's token count
   * is the matmul peak the network is held against.
   */
  public static Layer largestTokenLayer(ModelSpec s) {
    long d = s.width;
    long hidden = Math.round(s.width * s.mlpRatio);
    long values = tokenValues(s);
    Layer[] layers = {
      new Layer("input_layer", values, d),
      new Layer("attn.to_qkv", d, 3 * d),
      new Layer("attn.to_out", d, d),
      new Layer("mlp.fc1", d, hidden),
      new Layer("mlp.fc2", hidden, d),
      new Layer("final_layer.linear", d, values)
    };
    Layer best = layers[0];
    for (Layer l : layers) {
      if (l.in() * l.out() > best.in() * best.out()) {
        best = l;
      }
    }
    return best;
  }

  private static long tokenValues(ModelSpec s) {
    long c = s.convChannels > 0 ? s.convChannels : s.channels;
    return c * s.patchSize * s.patchSize * s.patchSize;
  }

  private static long linear(long rows, long in, long out) {
    return 2 * rows * in * out;
  }
}
