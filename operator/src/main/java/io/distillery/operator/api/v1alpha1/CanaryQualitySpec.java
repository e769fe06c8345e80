package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * The canary's outputs judged against the stable model's: a probe Job ({@code mdt probe}) sends
 * both the same requests and reports what came back; the operator compares the figures with these
 * thresholds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryQualitySpec {
  @Min(4)
  @Max(256)
  @Default("32")
  @JsonPropertyDescription(
      "Probe requests sent to the canary (the stable model gets as many at the same seeds and as"
          + " many again at others); 4-256, default 32, at most 4 x windowSeconds.")
  public Integer probes;

  @Min(0)
  @Default("0")
  @JsonPropertyDescription("Seed of the probe set (default 0): the same seed, the same probes.")
  public Long seed;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Class names to probe (default: the classes both models know), e.g. `[chair, table]`.")
  public List<String> classes;

  @Min(0)
  @Max(1)
  @Default("0.2")
  @JsonPropertyDescription(
      "Highest share of the canary's probe samples with no filled voxel (default 0.2).")
  public Double maxEmptyRate;

  @Min(0)
  @Max(1)
  @Default("0.15")
  @JsonPropertyDescription(
      "Highest drop of class accuracy, the stable model's minus the canary's (default 0.15);"
          + " judged only when the probe measured both accuracies.")
  public Double maxAccuracyDrop;

  @Min(1)
  @Max(100)
  @Default("1.5")
  @JsonPropertyDescription(
      "Highest distance ratio: how far the canary's outputs lie from the stable model's (and"
          + " the stable model's from the canary's) by nearest neighbours, over how far the"
          + " stable model's own outputs at other seeds lie (about 1 for the same distribution,"
          + " at most 1.1 between good students, about 3 for a broken one); default 1.5.")
  public Double maxDistanceRatio;

  @JsonPropertyDescription(
      "Resources of the probe pod (CPU only, no GPU); default cpu 500m, memory 1536Mi.")
  public ProbeResources resources;

  public int probesOrDefault() {
    return probes == null ? 32 : probes;
  }

  public long seedOrDefault() {
    return seed == null ? 0 : seed;
  }

  public double maxEmptyRateOrDefault() {
    return maxEmptyRate == null ? 0.2 : maxEmptyRate;
  }

  public double maxAccuracyDropOrDefault() {
    return maxAccuracyDrop == null ? 0.15 : maxAccuracyDrop;
  }

  public double maxDistanceRatioOrDefault() {
    return maxDistanceRatio == null ? 1.5 : maxDistanceRatio;
  }

  /** CPU request and memory request = limit of the probe pod. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ProbeResources {
    @JsonPropertyDescription("CPU request (default 500m).")
    public Quantity cpu;

    @JsonPropertyDescription("Memory request and limit (default 1536Mi).")
    public Quantity memory;
  }
}
