package io.distillery.mdt.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.distillery.mdt.artifact.Digests;
import io.distillery.mdt.data.BadInputException;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.TorchScriptTeacher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A feature extractor the user supplies: a TorchScript module computing {@code features(x) -> (N,
 * D)} on samples {@code x} of shape {@code (N, C, D, H, W)}, pinned by the SHA-256 of its file.
 * {@link #load} checks the digest and calls the module once on the samples' shape, so a module that
 * does not fit fails before any training.
 */
public final class TorchScriptFeatures implements FeatureExtractor {
  private static final int CHUNK = 64;

  private final ZooModel<NDList, NDList> model;
  private final String digest;
  private final Shape sampleShape;

  private TorchScriptFeatures(ZooModel<NDList, NDList> model, String digest, Shape sampleShape) {
    this.model = model;
    this.digest = digest;
    this.sampleShape = sampleShape;
  }

  /**
   * Loads {@code file}, requires its digest to be {@code digest} and its output on two samples of
   * {@code sampleShape} {@code (C, D, H, W)} to be {@code (2, D)}.
   */
  public static TorchScriptFeatures load(Path file, String digest, Shape sampleShape, Device device)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "evaluation.features: TorchScript feature module not found");
    }
    String actual = "sha256:" + Digests.ofFile(file);
    if (!actual.equals(digest)) {
      throw new BadInputException(
          "evaluation.features: "
              + file
              + " has digest "
              + actual
              + ", not the "
              + digest
              + " the configuration names");
    }
    ZooModel<NDList, NDList> model;
    try {
      model = TorchScriptTeacher.loadModule(file, device, false);
    } catch (IOException e) {
      throw new BadInputException("evaluation.features: " + e.getMessage());
    }
    TorchScriptFeatures f = new TorchScriptFeatures(model, actual, sampleShape);
    try {
      f.probe(file);
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
    return f;
  }

  private void probe(Path file) {
    try (NDManager nd = model.getNDManager().newSubManager();
        NoGrad ignored = NoGrad.enter()) {
      NDArray x = nd.zeros(new Shape(2).addAll(sampleShape));
      Shape out;
      try {
        out = forward(x).getShape();
      } catch (RuntimeException e) {
        throw new BadInputException(
            "evaluation.features: "
                + file
                + " fails on samples of shape "
                + x.getShape()
                + ": "
                + e.getMessage());
      }
      if (out.dimension() != 2 || out.get(0) != 2 || out.get(1) < 1) {
        throw new BadInputException(
            "evaluation.features: "
                + file
                + " must return (N, D) features, but returned "
                + out
                + " for "
                + x.getShape());
      }
    }
  }

  private NDArray forward(NDArray x) {
    return model
        .getBlock()
        .forward(new ParameterStore(x.getManager(), false), new NDList(x), false)
        .singletonOrThrow();
  }

  @Override
  public double[][] features(VoxelBatch batch) {
    double[][] out = new double[batch.count()][];
    try (NDManager nd = model.getNDManager().newSubManager();
        NoGrad ignored = NoGrad.enter()) {
      for (int from = 0; from < batch.count(); from += CHUNK) {
        int to = Math.min(batch.count(), from + CHUNK);
        try (NDManager scope = nd.newSubManager()) {
          FeatureExtractor.putRows(
              forward(batch.slice(from, to).toNDArray(scope)).toFloatArray(), out, from, to);
        }
      }
    }
    return out;
  }

  @Override
  public String describe() {
    return "torchscript " + digest;
  }

  @Override
  public void close() {
    model.close();
  }
}
