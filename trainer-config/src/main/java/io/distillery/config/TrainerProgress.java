package io.distillery.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON served at {@code GET /progress} while {@code mdt} trains. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TrainerProgress {
  /** {@code training}, {@code evaluating} or {@code done}. */
  public String phase;

  public long step;
  public long maxSteps;
  public double percent;

  /** Latest loss values by name, e.g. {@code vm}, {@code vd}, {@code cm}, {@code fm}. */
  public Map<String, Double> losses = new LinkedHashMap<>();

  /**
   * The devices training runs on, one data-parallel replica each, e.g. {@code [gpu(0), gpu(1)]}
   * (absent outside training).
   */
  public List<String> devices;

  public Double samplesPerSec;
  public Double etaSeconds;

  /** When this snapshot was taken, epoch milliseconds (lets readers detect stale progress). */
  public long updatedAtMillis;
}
