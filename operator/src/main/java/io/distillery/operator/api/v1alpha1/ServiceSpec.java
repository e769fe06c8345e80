package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The Service in front of the serving pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceSpec {
  /** Service types the operator creates. */
  public enum Type {
    ClusterIP,
    NodePort,
    LoadBalancer
  }

  @Default("ClusterIP")
  @JsonPropertyDescription("ClusterIP (default), NodePort or LoadBalancer.")
  public Type type;

  @Min(1)
  @Max(65535)
  @Default("80")
  @JsonPropertyDescription("Service port, forwarded to the pods' port 8080 (default 80).")
  public Integer port;

  public Type typeOrDefault() {
    return type == null ? Type.ClusterIP : type;
  }

  public int portOrDefault() {
    return port == null ? 80 : port;
  }
}
