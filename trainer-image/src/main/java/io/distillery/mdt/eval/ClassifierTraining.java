package io.distillery.mdt.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.data.VoxelBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains the {@link ShapeClassifier} on the built-in shapes and measures it on the held-out split.
 *
 * <p>Augmentation makes the features robust to what generated samples get wrong: mirror images
 * about the two horizontal axes, shifts of up to {@code maxShift} voxels (empty space fills in),
 * and, for half of the samples, random voxel flips at a rate up to {@code maxFlipRate}.
 */
public final class ClassifierTraining {
  private ClassifierTraining() {}

  /** What to train. {@link #shipped()} is the configuration of the bundled classifier. */
  public record Options(
      int resolution,
      int trainSamples,
      int heldOutSamples,
      long dataSeed,
      long seed,
      int steps,
      int batchSize,
      double learningRate,
      int width,
      int featureDim,
      int maxShift,
      double maxFlipRate) {

    public Options {
      if (steps < 1 || batchSize < 1 || trainSamples < batchSize || heldOutSamples < 1) {
        throw new IllegalArgumentException(
            "need steps >= 1, batchSize >= 1, trainSamples >= batchSize, heldOutSamples >= 1");
      }
    }

    /** The bundled classifier-16: held-out split and seed are those of the default dataset. */
    public static Options shipped() {
      return new Options(16, 8192, 1024, 7, 42, 1500, 64, 2e-3, 16, 64, 2, 0.03);
    }

    public Options withSteps(int s) {
      return new Options(
          resolution,
          trainSamples,
          heldOutSamples,
          dataSeed,
          seed,
          s,
          batchSize,
          learningRate,
          width,
          featureDim,
          maxShift,
          maxFlipRate);
    }

    public Options withSamples(int train, int heldOut) {
      return new Options(
          resolution,
          train,
          heldOut,
          dataSeed,
          seed,
          steps,
          batchSize,
          learningRate,
          width,
          featureDim,
          maxShift,
          maxFlipRate);
    }
  }

  /**
   * Held-out accuracy, the held-out confusion matrix (row: true class, column: predicted) and the
   * loss curve ((step, smoothed loss) at 100 points).
   */
  public record Result(
      double heldOutAccuracy,
      int[][] heldOutConfusion,
      double trainAccuracy,
      int steps,
      double seconds,
      List<double[]> lossCurve,
      Options options) {}

  /** Called after every optimiser step with the smoothed loss (for progress displays). */
  @FunctionalInterface
  public interface Progress {
    void onStep(int step, int maxSteps, double loss);
  }

  /** Trains a classifier; the caller owns (and closes) the returned classifier. */
  public static Trained train(Options o) {
    return train(o, (step, max, loss) -> {});
  }

  /** Trains a classifier, reporting each step; the caller owns the returned classifier. */
  public static Trained train(Options o, Progress progress) {
    long start = System.nanoTime();
    Engine.getInstance().setRandomSeed((int) o.seed);
    VoxelBatch train =
        BuiltinShapes.generate(o.resolution, o.trainSamples, o.dataSeed, Split.TRAIN);
    VoxelBatch held =
        BuiltinShapes.generate(o.resolution, o.heldOutSamples, o.dataSeed, Split.HELD_OUT);
    ShapeClassifier classifier =
        ShapeClassifier.create(o.resolution, BuiltinShapes.CLASS_NAMES, o.width, o.featureDim);
    List<double[]> curve = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(o.seed);
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
            .optOptimizer(
                Optimizer.adam()
                    .optLearningRateTracker(
                        Tracker.cosine()
                            .setBaseValue((float) o.learningRate)
                            .optFinalValue((float) (o.learningRate / 50))
                            .setMaxUpdates(o.steps)
                            .build())
                    .build());
    try (Trainer trainer = classifier.model().newTrainer(config)) {
      trainer.initialize(classifier.inputShape(o.batchSize));
      double running = Double.NaN;
      int logEvery = Math.max(1, o.steps / 100);
      for (int step = 1; step <= o.steps; step++) {
        VoxelBatch batch = augmentedBatch(train, o, rng);
        try (NDManager scope = trainer.getManager().newSubManager()) {
          NDArray x = batch.toNDArray(scope);
          NDArray y = scope.create(batch.labels());
          float loss;
          try (GradientCollector gc = trainer.newGradientCollector()) {
            NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
            NDArray l = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
            gc.backward(l);
            loss = l.getFloat();
          }
          trainer.step();
          if (!Float.isFinite(loss)) {
            throw new IllegalStateException("classifier loss is " + loss + " at step " + step);
          }
          running = Double.isNaN(running) ? loss : 0.95 * running + 0.05 * loss;
        }
        progress.onStep(step, o.steps, running);
        if (step % logEvery == 0 || step == o.steps) {
          curve.add(new double[] {step, running});
        }
      }
    } catch (RuntimeException e) {
      classifier.close();
      throw e;
    }
    double heldAcc = classifier.accuracy(held);
    int k = BuiltinShapes.CLASS_NAMES.size();
    int[][] confusion = new int[k][k];
    int[] predicted = classifier.predict(held);
    for (int i = 0; i < predicted.length; i++) {
      confusion[held.labels()[i]][predicted[i]]++;
    }
    double trainAcc = classifier.accuracy(train.slice(0, Math.min(train.count(), 1024)));
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Trained(
        classifier,
        new Result(heldAcc, confusion, trainAcc, o.steps, seconds, List.copyOf(curve), o));
  }

  /** A trained classifier and how it was trained. */
  public record Trained(ShapeClassifier classifier, Result result) implements AutoCloseable {
    @Override
    public void close() {
      classifier.close();
    }
  }

  /** Trains and writes the classifier artifact (with training.json) to {@code out}. */
  public static Result run(Options o, Path out, Progress progress) throws IOException {
    try (Trained t = train(o, progress)) {
      t.classifier().save(out, t.result());
      return t.result();
    }
  }

  static VoxelBatch augmentedBatch(VoxelBatch pool, Options o, SplittableRandom rng) {
    int r = pool.resolution();
    int v = pool.voxels();
    float[] data = new float[o.batchSize * v];
    int[] labels = new int[o.batchSize];
    for (int b = 0; b < o.batchSize; b++) {
      int i = rng.nextInt(pool.count());
      labels[b] = pool.labels()[i];
      augment(pool.data(), i * pool.sampleSize(), data, b * v, r, o, rng);
    }
    return new VoxelBatch(data, labels, o.batchSize, 1, r);
  }

  /** Mirror x/z, shift, flip voxels: writes channel 0 of one sample into {@code dst}. */
  static void augment(
      float[] src, int srcOff, float[] dst, int dstOff, int r, Options o, SplittableRandom rng) {
    boolean mirrorX = rng.nextBoolean();
    boolean mirrorZ = rng.nextBoolean();
    int sx = rng.nextInt(2 * o.maxShift + 1) - o.maxShift;
    int sy = rng.nextInt(2 * o.maxShift + 1) - o.maxShift;
    int sz = rng.nextInt(2 * o.maxShift + 1) - o.maxShift;
    double flip = rng.nextBoolean() ? rng.nextDouble() * o.maxFlipRate : 0;
    for (int x = 0; x < r; x++) {
      for (int y = 0; y < r; y++) {
        for (int z = 0; z < r; z++) {
          int fx = (mirrorX ? r - 1 - x : x) - sx;
          int fy = y - sy;
          int fz = (mirrorZ ? r - 1 - z : z) - sz;
          float value = -1f;
          if (fx >= 0 && fy >= 0 && fz >= 0 && fx < r && fy < r && fz < r) {
            value = src[srcOff + (fx * r + fy) * r + fz] > 0 ? 1f : -1f;
          }
          if (flip > 0 && rng.nextDouble() < flip) {
            value = -value;
          }
          dst[dstOff + (x * r + y) * r + z] = value;
        }
      }
    }
  }

  /**
   * Trains the shipped classifier: {@code ClassifierTraining OUT_DIR [STEPS]} with {@link
   * Options#shipped()} (see models/classifier-16/TRAINED_WITH.md).
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ClassifierTraining OUT_DIR [STEPS]");
      System.exit(2);
    }
    Options o = Options.shipped();
    if (args.length > 1) {
      o = o.withSteps(Integer.parseInt(args[1]));
    }
    long start = System.nanoTime();
    Result r =
        run(
            o,
            Path.of(args[0]),
            (step, max, loss) -> {
              if (step % 50 == 0) {
                System.out.printf(
                    "step %d/%d loss %.4f %.0f s%n",
                    step, max, loss, (System.nanoTime() - start) / 1e9);
              }
            });
    System.out.printf(
        "held-out accuracy %.4f (%d samples), train accuracy %.4f, %d steps in %.0f s%n",
        r.heldOutAccuracy(), o.heldOutSamples(), r.trainAccuracy(), r.steps(), r.seconds());
    System.out.println("confusion (row: true, column: predicted) " + BuiltinShapes.CLASS_NAMES);
    for (int[] row : r.heldOutConfusion()) {
      System.out.println(java.util.Arrays.toString(row));
    }
  }
}
