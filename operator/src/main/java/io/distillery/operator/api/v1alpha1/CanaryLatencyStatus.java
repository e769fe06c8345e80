package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The canary's user-traffic latency against the stable pods' (status.canary.latency). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryLatencyStatus {
  @JsonPropertyDescription(
      "The canary pods' latency histogram of user requests when the window began (encoded).")
  public String canaryBaseline;

  @JsonPropertyDescription("The stable pods' latency histogram when the window began (encoded).")
  public String stableBaseline;

  @JsonPropertyDescription("User requests the canary answered in the window.")
  public Long canaryRequests;

  @JsonPropertyDescription("User requests the stable pods answered in the window.")
  public Long stableRequests;

  @JsonPropertyDescription("p99 latency of the canary's user requests in the window, seconds.")
  public Double canaryP99Seconds;

  @JsonPropertyDescription("p99 latency of the stable pods' user requests in the window, seconds.")
  public Double stableP99Seconds;

  @JsonPropertyDescription("canaryP99Seconds / stableP99Seconds.")
  public Double ratio;

  @JsonPropertyDescription("How latency was judged, or why it was not.")
  public String message;
}
