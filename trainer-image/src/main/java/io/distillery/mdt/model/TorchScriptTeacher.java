package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An external teacher exported as TorchScript with the signature {@code v(x, 1000 t, cond)} (see
 * trainer-image/TORCHSCRIPT.md). Loaded through DJL with {@code trainParam=true}, so its parameters
 * are leaves that receive gradients (a student initialised from it can be trained). The sample
 * shape and class count are not in the file; the caller states them and a probe call checks them.
 */
public final class TorchScriptTeacher implements VelocityModel {
  private final ZooModel<NDList, NDList> model;
  private final PtSymbolBlock block;
  private final Weights weights;
  private final Shape sampleShape;
  private final int numClasses;
  private final ParameterStore store;

  private TorchScriptTeacher(
      ZooModel<NDList, NDList> model, Shape sampleShape, int numClasses, Device device) {
    this.model = model;
    this.block = (PtSymbolBlock) model.getBlock();
    this.sampleShape = sampleShape;
    this.numClasses = numClasses;
    this.store = new ParameterStore(model.getNDManager(), false);
    this.weights = parametersOf(model);
  }

  /**
   * The parameters of a module loaded by {@link #loadModule}, by name, as weights (views, not
   * copies). A module without any is closed and refused: there would be nothing to train.
   */
  static Weights parametersOf(ZooModel<NDList, NDList> model) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      params.put(p.getKey(), p.getValue().getArray());
    }
    if (params.isEmpty()) {
      model.close();
      throw new IllegalArgumentException("the TorchScript module has no parameters to train");
    }
    return Weights.view(params);
  }

  /**
   * Loads {@code file} for samples of shape {@code (C, D, H, W)} and {@code numClasses} classes
   * (null class = numClasses), then probes it once: a module whose output shape differs from its
   * input fails here, naming both shapes.
   */
  public static TorchScriptTeacher load(Path file, Shape sampleShape, int numClasses, Device device)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "TorchScript teacher not found");
    }
    ZooModel<NDList, NDList> model = loadModule(file, device, true);
    TorchScriptTeacher teacher = new TorchScriptTeacher(model, sampleShape, numClasses, device);
    try {
      teacher.probe(file);
    } catch (RuntimeException | IOException e) {
      teacher.close();
      throw e;
    }
    return teacher;
  }

  /**
   * Loads a TorchScript module through DJL's PyTorch engine; {@code trainable} makes its parameters
   * leaves that receive gradients. A file that is not a module fails with an IOException naming it.
   */
  public static ZooModel<NDList, NDList> loadModule(Path file, Device device, boolean trainable)
      throws IOException {
    Criteria.Builder<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(file)
            .optEngine("PyTorch")
            .optDevice(device);
    if (trainable) {
      criteria.optOption("trainParam", "true");
    }
    try {
      return criteria.build().loadModel();
    } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
      throw new IOException(file + ": not a loadable TorchScript module: " + e.getMessage(), e);
    }
  }

  private void probe(Path file) throws IOException {
    try (NDManager nd = NDManager.newBaseManager(device());
        NoGrad ignored = NoGrad.enter()) {
      NDArray x = nd.zeros(new Shape(1).addAll(sampleShape));
      NDArray out;
      try {
        out = velocity(x, nd.create(new float[] {500f}), nd.create(new long[] {numClasses}), false);
      } catch (RuntimeException e) {
        throw new IOException(
            file
                + ": calling v(x, 1000 t, cond) with x "
                + x.getShape()
                + " failed: "
                + e.getMessage(),
            e);
      }
      if (!out.getShape().equals(x.getShape())) {
        throw new IOException(
            file
                + ": the teacher's output shape "
                + out.getShape()
                + " does not match its input shape "
                + x.getShape());
      }
    }
  }

  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    NDList out = block.forward(store, new NDList(x, tTimes1000, cond), training);
    return out.singletonOrThrow();
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
}
