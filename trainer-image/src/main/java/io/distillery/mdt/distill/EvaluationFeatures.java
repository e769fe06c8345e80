package io.distillery.mdt.distill;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BadInputException;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.FeatureExtractor;
import io.distillery.mdt.eval.ShapeClassifier;
import io.distillery.mdt.eval.TeacherFeatures;
import io.distillery.mdt.eval.TorchScriptFeatures;
import io.distillery.mdt.model.Teachers;
import io.distillery.mdt.model.VelocityModel;
import java.io.IOException;

/**
 * Chooses the features of the distribution figures ({@code evaluation.features}): a TorchScript
 * module the user names, else the shipped classifier for the built-in 16^3 shapes, else the
 * teacher's own features. Opened and tried on held-out samples before any training, so features
 * that do not fit the data fail the job at once.
 */
final class EvaluationFeatures {
  private EvaluationFeatures() {}

  /** Whether the shipped classifier knows this data. */
  static boolean classifierKnows(TrainerConfig cfg) {
    return DatasetLoader.BUILTIN_SHAPES.equals(cfg.dataset.uri) && cfg.dataset.resolution == 16;
  }

  /**
   * Opens the configured features for samples of {@code teacher}'s shape and tries them on the
   * first two held-out samples; the caller closes the result (the teacher stays the caller's).
   */
  static FeatureExtractor open(
      TrainerConfig cfg, VelocityModel teacher, VoxelBatch heldOut, Device device)
      throws IOException {
    VoxelBatch tryOn = heldOut.slice(0, Math.min(2, heldOut.count()));
    TrainerConfig.Features f = cfg.evaluation.features;
    String uri = f == null ? null : f.uri;
    FeatureExtractor features;
    if (uri == null) {
      features =
          classifierKnows(cfg) ? ShapeClassifier.loadShipped() : new TeacherFeatures(teacher);
    } else if (uri.equals(TrainerConfig.Features.CLASSIFIER)) {
      if (!classifierKnows(cfg)) {
        throw new InvalidConfigException(
            "evaluation.features: builtin:classifier knows only the built-in 16^3 shapes"
                + " (dataset.uri builtin:shapes); use builtin:teacher or a TorchScript module");
      }
      features = ShapeClassifier.loadShipped();
    } else if (uri.equals(TrainerConfig.Features.TEACHER)) {
      features = new TeacherFeatures(teacher);
    } else {
      Shape one = teacher.sampleShape();
      features = TorchScriptFeatures.load(Teachers.path(uri), f.digest, one, device);
    }
    try {
      double[][] rows = features.features(tryOn);
      if (rows.length != tryOn.count() || rows[0].length < 1) {
        throw new BadInputException(
            "evaluation.features: "
                + features.describe()
                + " gave "
                + rows.length
                + " rows for "
                + tryOn.count()
                + " samples");
      }
    } catch (RuntimeException e) {
      features.close();
      throw e;
    }
    return features;
  }
}
