package io.distillery.mdt.train;

import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.data.DatasetIdentity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a trained artifact descends from, recorded as {@code training.lineage} of its model.json
 * (inside the artifact digest): the teacher's URI and digest (a student), the dataset's identity
 * ({@link DatasetIdentity}), the code version and the seeds. All of it is the same when the same
 * training runs again, so the digest stays reproducible; what varies from run to run (date, image,
 * the full config with its output paths) goes to provenance.json instead.
 */
public final class Lineage {
  /** The key of {@code training} in model.json. */
  public static final String KEY = "lineage";

  /** Dataset URIs longer than this stay out of the result JSON (the 4 KiB termination message). */
  static final int MAX_RESULT_URI = 256;

  private Lineage() {}

  /**
   * The lineage of a run of {@code cfg} on {@code dataset}; {@code teacherUri} and {@code
   * teacherDigest} are null for a teacher trained from scratch.
   */
  public static Map<String, Object> of(
      TrainerConfig cfg, String teacherUri, String teacherDigest, DatasetIdentity dataset) {
    Map<String, Object> lineage = new LinkedHashMap<>();
    if (teacherDigest != null) {
      Map<String, Object> teacher = new LinkedHashMap<>();
      teacher.put("uri", teacherUri);
      teacher.put("digest", teacherDigest);
      lineage.put("teacher", teacher);
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("uri", dataset.uri());
    data.put("digest", dataset.digest());
    data.put("how", dataset.how());
    lineage.put("dataset", data);
    lineage.put("codeVersion", CodeVersion.get());
    Map<String, Object> seeds = new LinkedHashMap<>();
    seeds.put("training", cfg.hyperparameters.seed);
    seeds.put("dataset", cfg.dataset.seed);
    seeds.put("evaluation", cfg.evaluation.seed);
    lineage.put("seeds", seeds);
    return lineage;
  }

  /** {@code provenance} plus {@code training.lineage}. */
  public static Map<String, Object> with(
      Map<String, Object> provenance, Map<String, Object> lineage) {
    Map<String, Object> training = new LinkedHashMap<>(provenance);
    training.put(KEY, lineage);
    return training;
  }

  /**
   * Puts the teacher and dataset digests (and a short enough dataset URI) into a result, leaving
   * out the URI, then the digests, where they would push it past {@link TrainerResult#MAX_BYTES}:
   * the artifact's model.json has them in full.
   */
  public static void stamp(TrainerResult r, String teacherDigest, DatasetIdentity dataset) {
    r.teacherDigest = teacherDigest;
    r.datasetDigest = dataset.digest();
    r.datasetUri = dataset.uri().length() <= MAX_RESULT_URI ? dataset.uri() : null;
    if (!fits(r)) {
      r.datasetUri = null;
    }
    if (!fits(r)) {
      r.teacherDigest = null;
      r.datasetDigest = null;
    }
  }

  private static boolean fits(TrainerResult r) {
    try {
      r.toJson();
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }
}
