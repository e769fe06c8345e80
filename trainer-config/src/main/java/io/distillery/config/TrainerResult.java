package io.distillery.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result JSON of {@code mdt distill}: written next to the artifact as {@code result.json} and
 * to the container termination-message path, where the operator reads it. At most {@link
 * #MAX_BYTES} bytes (the kubelet's limit is 4 KiB).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TrainerResult {
  public static final int MAX_BYTES = 4096;

  /** {@code succeeded} or {@code failed}. */
  public String status;

  /** Process exit code (see {@link ExitCodes}). */
  public int exitCode;

  /** One line for humans, e.g. why it failed. */
  public String message;

  /** {@code mdt} or {@code cm}. */
  public String method;

  /** Artifact directory (URI or path on the output volume). */
  public String artifact;

  /** SHA-256 digest of the artifact's manifest, {@code sha256:<hex>}. */
  public String digest;

  /**
   * Digest of the teacher distilled: its artifact digest, or {@code sha256:<hex>} of a TorchScript
   * file.
   */
  public String teacherDigest;

  /**
   * Identity of the training data: {@code sha256:<hex>} of the built-in generator's settings, of
   * the file, of a directory's listing of (path, size, SHA-256), or a structure model's artifact
   * digest.
   */
  public String datasetDigest;

  /** The dataset URI as configured; left out when longer than 256 characters (4 KiB limit). */
  public String datasetUri;

  /** Step counts the student was trained for. */
  public List<Integer> studentSteps;

  /** Metrics per student step count ("1", "2") and for the teacher ("teacher"). */
  public Map<String, Metrics> metrics = new LinkedHashMap<>();

  /** Speedup over the reference teacher per student step count. */
  public Map<String, Double> speedup = new LinkedHashMap<>();

  /** Quality/speed gate verdict. */
  public Gate gate;

  /**
   * The features FD and coverage were computed on: {@code classifier}, {@code teacher} or {@code
   * torchscript sha256:<hex>}; figures on different features are not comparable.
   */
  public String features;

  /** Per-model quality and speed metrics. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Metrics {
    /** FD to the held-out data on {@link TrainerResult#features}. */
    public Double fd;

    /** FD between this model's samples and the teacher's reference samples (student rows). */
    public Double fdToTeacher;

    public Double classAccuracy;

    /** Mean relative L2 distance to the teacher's sample from the same noise and condition. */
    public Double pairedError;

    /** Mean squared error to the teacher's sample, per value. */
    public Double pairedMse;

    /** Mean cosine similarity to the teacher's sample. */
    public Double pairedCosine;

    /** Mean IoU with the teacher's grid (occupancy data only). */
    public Double pairedIoU;

    /**
     * The appearance stage: mean squared error of the colours on the occupied voxels against the
     * procedural ground truth of the built-in held-out structures (the nearer of its variants).
     */
    public Double appearanceError;

    public Integer nfe;
    public Double latencyMsBatch1;
    public Double throughputPerSec;
  }

  /** Gate verdict. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Gate {
    public boolean passed;
    public Double maxFdRatio;
    public Double minSpeedup;
    public Double maxPairedError;
    public Double minPairedIoU;
    public Double fdRatio;
    public Double speedup;

    /** The worst step count's paired error and IoU. */
    public Double pairedError;

    public Double pairedIoU;
    public String reason;
  }

  /** Compact JSON; throws if it would not fit the termination message. */
  public String toJson() {
    try {
      String s =
          TrainerConfigs.json()
              .writer()
              .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(this);
      if (s.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
        throw new IllegalStateException("result JSON exceeds " + MAX_BYTES + " bytes");
      }
      return s;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a result; returns null for anything that is not a well-formed result under the limit.
   */
  public static TrainerResult parseOrNull(String text) {
    if (text == null
        || text.isBlank()
        || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return null;
    }
    try {
      TrainerResult r =
          TrainerConfigs.json()
              .copy()
              .disable(
                  com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(text, TrainerResult.class);
      return r.status == null ? null : r;
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }
}
