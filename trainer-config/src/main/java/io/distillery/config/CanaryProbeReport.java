package io.distillery.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;

/**
 * What {@code mdt probe} measured of a canary against the stable model: the same probe requests
 * (classes and seeds) sent to both, and the figures of what came back. Written to the container's
 * termination-message path, where the operator reads it and judges it against the
 * StudentDeployment's thresholds (the probe only measures; the operator decides). At most {@link
 * #MAX_BYTES} bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class CanaryProbeReport {
  public static final int MAX_BYTES = 4096;

  /**
   * Request header marking a probe request; {@code mdt serve} counts such requests under {@code
   * traffic="probe"} in its request metrics, apart from users' {@code traffic="user"}.
   */
  public static final String PROBE_HEADER = "X-Distillery-Probe";

  /** Exit code of {@code mdt probe} with an {@link #INCONCLUSIVE} report ({@link ExitCodes}). */
  public static final int INCONCLUSIVE_EXIT = ExitCodes.INVALID_INPUT;

  /** Both sides answered every probe and the figures below are set. */
  public static final String MEASURED = "measured";

  /** A side could not be probed (unreachable, errors, no common class): no figure to judge. */
  public static final String INCONCLUSIVE = "inconclusive";

  /** {@link #MEASURED} or {@link #INCONCLUSIVE}. */
  public String status;

  /** One line for humans: what was measured, or why it is inconclusive. */
  public String message;

  /** Probes sent to the canary (the stable model gets these and as many again at other seeds). */
  public int probes;

  /**
   * Feature space of {@link #distanceRatio}: {@code classifier} (the shipped shape classifier, when
   * both models generate its grid and classes) or {@code occupancy} (down-sampled occupancy grids).
   */
  public String features;

  /**
   * How far the canary's outputs lie from the stable model's at the same seeds, by nearest
   * neighbours in feature space, in units of how far the stable model's outputs at other seeds lie
   * from them: the larger of a fidelity ratio (canary outputs to their nearest stable output) and a
   * coverage ratio (stable outputs to their nearest canary output). About 1 when the canary draws
   * from the stable model's distribution, far above 1 when it draws elsewhere or collapses. Below 1
   * when the canary's outputs follow the stable model's seed by seed (a student of it), and 0 for
   * the very same outputs (the same model): a limit on it is an upper bound.
   */
  public Double distanceRatio;

  public Side canary;
  public Side stable;

  /** The figures of one side's answers. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Side {
    /** Digest the side's pods reported ({@code X-Model-Digest}). */
    public String digest;

    /** Samples received. */
    public int samples;

    /** Share of samples with no filled voxel. */
    public Double emptyRate;

    /**
     * Share of samples the shipped classifier puts in the class they were asked for; absent when
     * the model's grid or classes are not the classifier's.
     */
    public Double classAccuracy;
  }

  /** Compact JSON; throws if it would not fit the termination message. */
  public String toJson() {
    try {
      String s =
          TrainerConfigs.json()
              .writer()
              .without(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(this);
      if (s.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
        throw new IllegalStateException("probe report exceeds " + MAX_BYTES + " bytes");
      }
      return s;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a report; null for anything that is not a well-formed report under the limit. */
  public static CanaryProbeReport parseOrNull(String text) {
    if (text == null
        || text.isBlank()
        || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return null;
    }
    try {
      CanaryProbeReport r =
          TrainerConfigs.json()
              .copy()
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(text, CanaryProbeReport.class);
      return r.status == null ? null : r;
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }
}
