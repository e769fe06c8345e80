package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.TrainerConfig.ModelSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * TRELLIS's structured-latent (appearance) flow in small: generates per-voxel features on the
 * occupied voxels of a structure. Its tokens are the occupied cells of {@code patchSize^3} voxels
 * only; a token's input is the cell's voxel values and its occupancy bits through a linear layer,
 * plus the fixed sin-cos embedding of the cell's position. The trunk (adaLN blocks, timestep and
 * class conditioning, final layer) is the one of {@link FlowTransformer}, with the weight names it
 * uses; samples with fewer cells are padded, and attention never looks at padding.
 *
 * <p>Samples are dense grids {@code (N, C, R, R, R)}, zero off the structure; the structure is
 * given by {@link #on(NDArray)}. Like {@link FlowTransformer} the head predicts {@code x0}, and the
 * velocity is exactly 0 off the structure.
 */
public final class SparseFlowTransformer implements VelocityModel, StructureBound {
  /** Added to attention scores of padding keys: exp underflows to exactly 0. */
  private static final float PADDING_SCORE = -1e9f;

  private final ModelSpec spec;
  private final Weights weights;
  private final TransformerTrunk trunk;
  private final NDArray posEmb;
  private final int grid;
  private final int cells;

  private SparseFlowTransformer(ModelSpec spec, Weights weights) {
    this.spec = spec;
    this.weights = weights;
    this.grid = spec.resolution / spec.patchSize;
    this.cells = grid * grid * grid;
    this.trunk = new TransformerTrunk(spec, weights);
    // float32: the structure's gather matrices that select from it are float32.
    this.posEmb =
        trunk
            .constants()
            .create(
                FlowTransformer.positionEmbedding(grid, spec.width), new Shape(cells, spec.width));
  }

  /** A freshly initialised model (deterministic in {@code seed}, whatever the device). */
  public static SparseFlowTransformer create(ModelSpec spec, long seed, Device device) {
    checkSpec(spec);
    Weights w = Weights.create(device);
    TransformerTrunk.Init init = new TransformerTrunk.Init(w, new Random(seed));
    TransformerTrunk.initialise(init, spec, inputValues(spec), outputValues(spec));
    return new SparseFlowTransformer(spec, w);
  }

  /**
   * A model over existing weights (loaded from an artifact or checkpoint); takes ownership of them.
   * Fails naming the first tensor that does not fit the spec.
   */
  public static SparseFlowTransformer withWeights(ModelSpec spec, Weights weights) {
    checkSpec(spec);
    try (SparseFlowTransformer reference = create(spec, 0, Device.cpu())) {
      reference.weights.checkCompatible(weights, "weights for " + describe(spec));
    }
    return new SparseFlowTransformer(spec, weights);
  }

  /** Always fails: features on a structure need the structure, see {@link #on(NDArray)}. */
  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    throw new IllegalStateException(
        "the appearance model needs a structure: bind it to the batch's occupancy with"
            + " on(occupancy) first ("
            + describe(spec)
            + ")");
  }

  @Override
  public VelocityModel on(NDArray occupancy) {
    return new OnStructure(occupancy, null);
  }

  @Override
  public VelocityModel on(NDArray occupancy, float[] hostOccupancy) {
    return new OnStructure(occupancy, hostOccupancy);
  }

  /** An independent model with a copy of these weights. */
  public SparseFlowTransformer copy() {
    return new SparseFlowTransformer(spec, weights.copy());
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
    return "sparse appearance flow on occupied cells, " + FlowTransformer.describe(s);
  }

  /** Per token in: the cell's voxel values and its occupancy bits. */
  private static int inputValues(ModelSpec s) {
    return (s.channels + 1) * s.patchSize * s.patchSize * s.patchSize;
  }

  /** Per token out: the cell's predicted voxel values. */
  private static int outputValues(ModelSpec s) {
    return s.channels * s.patchSize * s.patchSize * s.patchSize;
  }

  private static void checkSpec(ModelSpec s) {
    FlowTransformer.checkSpec(s);
    if (s.convChannels != 0) {
      throw new IllegalArgumentException(
          "model.convChannels is "
              + s.convChannels
              + "; the sparse appearance flow has no convolutional stem and head, set it to 0");
    }
  }

  /**
   * The model bound to one batch's structure; shares the outer model's weights. Its structure
   * tensors live under the occupancy's manager, so they go with the batch's scope: the objectives
   * and samplers bind a view per batch and never close it.
   */
  private final class OnStructure extends StructureView {
    private final NDManager manager;
    private final int samples;
    private final float[] voxels;
    private final int[][] occupiedCells;
    private final int longest;
    private final Map<Integer, Structure> tiled = new HashMap<>();

    /** {@code host}: the occupancy's values on the host, or null to read them from the device. */
    OnStructure(NDArray occupancy, float[] host) {
      super(SparseFlowTransformer.this);
      int r = spec.resolution;
      Shape shape = occupancy.getShape();
      if (shape.dimension() != 5 || !shape.equals(new Shape(shape.get(0), 1, r, r, r))) {
        throw new IllegalArgumentException(
            "occupancy has shape "
                + occupancy.getShape()
                + ", the appearance model expects (N, 1, "
                + r
                + ", "
                + r
                + ", "
                + r
                + ")");
      }
      this.samples = (int) occupancy.getShape().get(0);
      this.voxels = host != null ? occupied(host.clone()) : occupied(occupancy);
      this.occupiedCells = new int[samples][];
      int most = 0;
      for (int i = 0; i < samples; i++) {
        occupiedCells[i] = cellsOf(i);
        if (occupiedCells[i].length == 0) {
          throw new IllegalArgumentException(
              "structure sample " + i + " has no occupied voxel; the appearance model needs one");
        }
        most = Math.max(most, occupiedCells[i].length);
      }
      this.longest = most;
      this.manager = occupancy.getManager().newSubManager(weights.device());
    }

    @Override
    public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
      Structure s = structureFor(x);
      long n = x.getShape().get(0);
      NDArray sc = trunk.conditioning(tTimes1000, cond, x.getManager());
      NDArray h = trunk.blocks(tokens(x, s), sc, spec.depth, s.keyBias);
      // Scatter (N, L, C p^3) back to all cells with P: padding rows are zero, so they drop out,
      // and unoccupied cells get 0. x-derived operands come first so results live in x's manager.
      NDArray perCell =
          Precision.widen(trunk.finalLayer(h, sc))
              .transpose(0, 2, 1)
              .matMul(s.p)
              .transpose(0, 2, 1);
      NDArray data = FlowTransformer.unpatchify(perCell, n, grid, spec.patchSize);
      return FlowTransformer.velocityFromData(x, data, tTimes1000).mul(s.occupancy);
    }

    /**
     * The middle block's tokens, mean- and std-pooled over the real (not padding) tokens: {@code
     * (N, 2 width)}.
     */
    @Override
    public NDArray features(NDArray x, NDArray tTimes1000, NDArray cond) {
      Structure s = structureFor(x);
      NDArray sc = trunk.conditioning(tTimes1000, cond, x.getManager());
      NDArray h =
          Precision.widen(trunk.blocks(tokens(x, s), sc, Math.max(1, spec.depth / 2), s.keyBias));
      NDArray mean = h.mul(s.real).sum(new int[] {1}, true).div(s.realCount);
      NDArray std =
          h.sub(mean).mul(s.real).square().sum(new int[] {1}, true).div(s.realCount).sqrt();
      return mean.squeeze(1).concat(std.squeeze(1), 1);
    }

    /** {@code (N, L, width)}: each occupied cell's voxels and occupancy bits, embedded. */
    private NDArray tokens(NDArray x, Structure s) {
      NDArray onStructure = x.mul(s.occupancy);
      NDArray in = NDArrays.concat(new NDList(onStructure, s.occupancy), 1);
      NDArray perCell = FlowTransformer.patchify(in, grid, spec.patchSize);
      NDArray gathered = perCell.transpose(0, 2, 1).matMul(s.pT).transpose(0, 2, 1);
      return trunk
          .linear(Precision.narrow(gathered, trunk.computeType()), "input_layer")
          .add(s.positions);
    }

    private Structure structureFor(NDArray x) {
      long rows = x.getShape().get(0);
      int r = spec.resolution;
      Shape expected = new Shape(rows, spec.channels, r, r, r);
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
      if (rows % samples != 0) {
        throw new IllegalArgumentException(
            "input has "
                + rows
                + " samples, the structure has "
                + samples
                + "; the batch must be a whole multiple of the structure's samples");
      }
      return tiled.computeIfAbsent((int) (rows / samples), this::build);
    }

    /** {@code a} in the trunk's compute type; a cast closes the float32 original. */
    private NDArray inComputeType(NDArray a) {
      NDArray c = Precision.narrow(a, trunk.computeType());
      if (c != a) {
        a.close();
      }
      return c;
    }

    /** The structure repeated {@code copies} times along the batch. */
    private Structure build(int copies) {
      int n = samples * copies;
      int l = longest;
      int r3 = spec.resolution * spec.resolution * spec.resolution;
      float[] p = new float[n * l * cells];
      float[] bias = new float[n * l];
      float[] real = new float[n * l];
      float[] count = new float[n];
      float[] occ = new float[n * r3];
      for (int row = 0; row < n; row++) {
        int i = row % samples;
        int[] own = occupiedCells[i];
        for (int j = 0; j < l; j++) {
          if (j < own.length) {
            p[(row * l + j) * cells + own[j]] = 1f;
            real[row * l + j] = 1f;
          } else {
            bias[row * l + j] = PADDING_SCORE;
          }
        }
        count[row] = own.length;
        System.arraycopy(voxels, i * r3, occ, row * r3, r3);
      }
      int res = spec.resolution;
      NDArray pArray = manager.create(p, new Shape(n, l, cells));
      return new Structure(
          pArray,
          pArray.transpose(0, 2, 1).duplicate(),
          inComputeType(manager.create(bias, new Shape(n, 1, 1, l))),
          inComputeType(pArray.matMul(posEmb)),
          manager.create(real, new Shape(n, l, 1)),
          manager.create(count, new Shape(n, 1, 1)),
          manager.create(occ, new Shape(n, 1, res, res, res)));
    }

    /** Indices of the occupied cells of sample {@code i}, ascending (row-major (d, h, w)). */
    private int[] cellsOf(int i) {
      int r = spec.resolution;
      int ps = spec.patchSize;
      boolean[] hit = new boolean[cells];
      int found = 0;
      int base = i * r * r * r;
      for (int d = 0; d < r; d++) {
        for (int h = 0; h < r; h++) {
          for (int w = 0; w < r; w++) {
            if (voxels[base + (d * r + h) * r + w] > 0) {
              int cell = ((d / ps) * grid + h / ps) * grid + w / ps;
              if (!hit[cell]) {
                hit[cell] = true;
                found++;
              }
            }
          }
        }
      }
      int[] out = new int[found];
      int k = 0;
      for (int c = 0; c < cells; c++) {
        if (hit[c]) {
          out[k++] = c;
        }
      }
      return out;
    }

    /** Frees the structure only; the weights belong to the model. */
    @Override
    public void close() {
      manager.close();
    }
  }

  /** Occupancy as 0/1 floats (above one half counts as occupied). */
  private static float[] occupied(NDArray occupancy) {
    float[] v;
    if (occupancy.getDataType() == DataType.FLOAT32) {
      v = occupancy.toFloatArray();
    } else {
      try (NDArray f = occupancy.toType(DataType.FLOAT32, false)) {
        v = f.toFloatArray();
      }
    }
    return occupied(v);
  }

  /** {@code v} thresholded in place to 0/1 (above one half counts as occupied). */
  private static float[] occupied(float[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] > 0.5f ? 1f : 0f;
    }
    return v;
  }

  /**
   * One batch's structure, {@code n} samples padded to {@code L} tokens: the one-hot gather {@code
   * p (n, L, cells)} (padding rows zero) and its transpose, the attention bias of padding keys
   * {@code (n, 1, 1, L)}, the tokens' position embeddings {@code (n, L, width)}, which tokens are
   * real {@code (n, L, 1)} and how many {@code (n, 1, 1)}, and the voxel occupancy {@code (n, 1, R,
   * R, R)}.
   */
  private record Structure(
      NDArray p,
      NDArray pT,
      NDArray keyBias,
      NDArray positions,
      NDArray real,
      NDArray realCount,
      NDArray occupancy) {}
}
