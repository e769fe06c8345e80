package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An external appearance-stage (second-stage) teacher exported as TorchScript with TRELLIS's sparse
 * signature {@code v = module(feats, coords, 1000 t, cond)} (trainer-image/TORCHSCRIPT.md, "A
 * sparse (second-stage) teacher"). The trainer keeps appearance samples as dense grids that are
 * zero off their structure, so a view bound to a structure ({@link #on}) packs the occupied voxels,
 * calls the module and scatters its answer back into a zero grid. Packing and scattering are
 * gathers, so gradients reach the module's parameters (loaded trainable, as {@link
 * TorchScriptTeacher} does). The sample shape and class count are not in the file; the caller
 * states them and a probe call checks the signature and the output shape.
 */
public final class SparseTorchScriptTeacher implements VelocityModel, StructureBound {
  /** The contract, as error messages state it. */
  static final String SIGNATURE =
      "v = module(feats float32 (M, C), coords int32 (M, 4) = (batch, x, y, z),"
          + " t1000 float32 (B,), cond int64 (B,)) returning float32 (M, C)";

  private final ZooModel<NDList, NDList> model;
  private final PtSymbolBlock block;
  private final Weights weights;
  private final Shape sampleShape;
  private final int numClasses;
  private final ParameterStore store;

  private SparseTorchScriptTeacher(
      ZooModel<NDList, NDList> model, Shape sampleShape, int numClasses) {
    this.model = model;
    this.block = (PtSymbolBlock) model.getBlock();
    this.sampleShape = sampleShape;
    this.numClasses = numClasses;
    this.store = new ParameterStore(model.getNDManager(), false);
    this.weights = TorchScriptTeacher.parametersOf(model);
  }

  /**
   * Loads {@code file} for samples of shape {@code (C, D, H, W)} and {@code numClasses} classes
   * (null class = numClasses), then probes it once on a structure that fills the grid: a module
   * that does not take the sparse signature, or whose output is not {@code (M, C)}, fails here with
   * an {@link UnsupportedArtifactException} (exit code 3) naming the contract.
   */
  public static SparseTorchScriptTeacher load(
      Path file, Shape sampleShape, int numClasses, Device device) throws IOException {
    if (sampleShape.dimension() != 4) {
      throw new IllegalArgumentException(
          "an appearance sample has shape (C, D, H, W), not " + sampleShape);
    }
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "TorchScript teacher not found");
    }
    ZooModel<NDList, NDList> model = TorchScriptTeacher.loadModule(file, device, true);
    SparseTorchScriptTeacher teacher = new SparseTorchScriptTeacher(model, sampleShape, numClasses);
    try {
      teacher.probe(file);
    } catch (RuntimeException | IOException e) {
      teacher.close();
      throw e;
    }
    return teacher;
  }

  private void probe(Path file) throws IOException {
    try (NDManager nd = NDManager.newBaseManager(device());
        NoGrad ignored = NoGrad.enter()) {
      NDArray x = nd.zeros(new Shape(1).addAll(sampleShape));
      NDArray everywhere = nd.ones(new Shape(1, 1).addAll(sampleShape.slice(1)));
      PackedVoxels packed = PackedVoxels.of(x, everywhere);
      Shape feats = packed.feats().getShape();
      NDArray out;
      try {
        out =
            forward(
                packed.feats(),
                packed.coords(),
                nd.create(new float[] {500f}),
                nd.create(new long[] {numClasses}),
                false);
      } catch (RuntimeException e) {
        throw new UnsupportedArtifactException(
            file
                + ": the appearance stage calls "
                + SIGNATURE
                + "; calling it with feats "
                + feats
                + " and coords "
                + packed.coords().getShape()
                + " failed: "
                + e.getMessage());
      }
      if (!out.getShape().equals(feats) || out.getDataType() != DataType.FLOAT32) {
        throw new UnsupportedArtifactException(
            file
                + ": the appearance stage's output shape "
                + out.getShape()
                + " ("
                + out.getDataType()
                + ") does not match its input feats shape "
                + feats
                + " (float32): a sparse teacher returns one velocity per occupied voxel, "
                + SIGNATURE);
      }
    }
  }

  /** The module called on packed voxels: {@code (M, C)} from {@code feats (M, C)}. */
  NDArray forward(NDArray feats, NDArray coords, NDArray tTimes1000, NDArray cond, boolean train) {
    return block
        .forward(store, new NDList(feats, coords, tTimes1000, cond), train)
        .singletonOrThrow();
  }

  /** The module on {@code occupancy}'s occupied voxels, called with dense grids zero elsewhere. */
  @Override
  public VelocityModel on(NDArray occupancy) {
    return new OnStructure(occupancy);
  }

  /** Refused: the appearance stage generates on a structure, which {@link #on} supplies. */
  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    throw new IllegalStateException(
        "the appearance stage's TorchScript teacher generates on a structure:"
            + " bind it to one with on(occupancy) first");
  }

  @Override
  public Weights weights() {
    return weights;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public Shape sampleShape() {
    return sampleShape;
  }

  @Override
  public Device device() {
    return model.getNDManager().getDevice();
  }

  @Override
  public void close() {
    model.close();
  }

  /** The teacher bound to a structure; it shares the teacher's module, which it does not close. */
  private final class OnStructure extends StructureView {
    private final NDArray occupancy;

    OnStructure(NDArray occupancy) {
      super(SparseTorchScriptTeacher.this);
      this.occupancy = occupancy;
    }

    @Override
    public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
      PackedVoxels packed = PackedVoxels.of(x, occupancy);
      return packed.scatter(forward(packed.feats(), packed.coords(), tTimes1000, cond, training));
    }
  }

  /**
   * The occupied voxels of a dense batch {@code x (rows, C, D, H, W)} packed as TRELLIS's sparse
   * tensors: {@code feats (M, C)} and {@code coords (M, 4)} int32 {@code (batch, x, y, z)}, in
   * row-major order (batch index, then x, y, z: {@code torch.argwhere}'s order). {@code denseIndex}
   * maps each cell of the grid to its row of {@code feats}, or to {@code M} (a zero row) off the
   * structure, so {@link #scatter} is a gather too.
   */
  record PackedVoxels(NDArray feats, NDArray coords, NDArray denseIndex, Shape gridShape) {

    /**
     * Packs {@code x}'s voxels where {@code occupancy (N, 1, D, H, W)} is set; {@code x} may have
     * {@code k N} rows, the structure repeated. Every array lives in {@code x}'s manager.
     */
    static PackedVoxels of(NDArray x, NDArray occupancy) {
      Shape grid = x.getShape();
      Shape structure = occupancy.getShape();
      if (grid.dimension() != 5
          || structure.dimension() != 5
          || structure.get(1) != 1
          || !structure.slice(2).equals(grid.slice(2))) {
        throw new IllegalArgumentException(
            "samples " + grid + " do not lie on a structure " + structure);
      }
      long n = structure.get(0);
      long rows = grid.get(0);
      if (rows % n != 0) {
        throw new IllegalArgumentException(
            "a batch of " + rows + " rows does not repeat a structure of " + n + " samples");
      }
      long channels = grid.get(1);
      NDArray occupied = occupancy.gt(0.5f);
      occupied.attach(x.getManager());
      NDArray cells = occupied.reshape(new Shape(n).addAll(grid.slice(2)));
      if (rows != n) {
        cells = cells.tile(new long[] {rows / n, 1, 1, 1});
      }
      NDArray coords = cells.nonzero().toType(DataType.INT32, false);
      NDArray flat = cells.reshape(-1);
      NDArray rowsOfFeats = flat.nonzero(); // (M, 1), the same order as coords
      long m = rowsOfFeats.getShape().get(0);
      NDArray feats =
          x.transpose(0, 2, 3, 4, 1)
              .reshape(-1, channels)
              .gather(rowsOfFeats.tile(new long[] {1, channels}), 0);
      NDArray on = flat.toType(DataType.INT64, false);
      // the rank of an occupied cell among the occupied cells; M elsewhere
      NDArray index = on.cumSum(0).sub(1).mul(on).add(on.neg().add(1).mul(m));
      return new PackedVoxels(feats, coords, index.reshape(-1, 1), grid);
    }

    /** {@code values (M, C)} laid out on the dense grid, exactly zero off the structure. */
    NDArray scatter(NDArray values) {
      long channels = gridShape.get(1);
      NDManager nd = denseIndex.getManager();
      NDArray padded = values.concat(nd.zeros(new Shape(1, channels), values.getDataType()), 0);
      return padded
          .gather(denseIndex.tile(new long[] {1, channels}), 0)
          .reshape(gridShape.get(0), gridShape.get(2), gridShape.get(3), gridShape.get(4), channels)
          .transpose(0, 4, 1, 2, 3);
    }
  }
}
