package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** Which student to serve and how to roll it out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription(
    "Which student to serve (a DistillationJob's result, or a model on a claim or in object storage) and how: replicas, rollout strategy, resources, Service and autoscaling.")
public class StudentDeploymentSpec {
  @Required
  @JsonPropertyDescription(
      "The model to serve: a DistillationJob in this namespace, or a model URI and digest.")
  public ModelSourceSpec source;

  @Min(1)
  @Max(8)
  @JsonPropertyDescription(
      "Default sampling steps of the served model (passed as `mdt serve --steps`); default: the"
          + " student's fewest step count.")
  public Integer steps;

  @Min(0)
  @Default("1")
  @JsonPropertyDescription(
      "Serving pods of the stable model (default 1); ignored when autoscaling is set (the HPA"
          + " owns the count). 0 stops serving but keeps the Service.")
  public Integer replicas;

  @JsonPropertyDescription(
      "CPU, memory and GPUs of each serving pod (GPUs as requests = limits of the extended"
          + " resource).")
  public ResourcesSpec resources;

  @JsonPropertyDescription(
      "Node selector, tolerations, affinity and priority class of the serving pods, e.g. to put"
          + " them on GPU nodes.")
  public PlacementSpec placement;

  @JsonPropertyDescription(
      "Image running `mdt serve`; defaults to the operator's trainer image"
          + " (distillery.trainer.image).")
  public String image;

  @JsonPropertyDescription(
      "An autoscaling/v2 HorizontalPodAutoscaler on the stable Deployment, by CPU utilisation.")
  public AutoscalingSpec autoscaling;

  @JsonPropertyDescription("How a new model replaces the served one: Rolling (default) or Canary.")
  public RolloutSpec rollout;

  @JsonPropertyDescription("The Service in front of the serving pods.")
  public ServiceSpec service;

  @JsonPropertyDescription(
      "Object storage for `s3://` models: the Secret the pods' `fetch` init containers take"
          + " their connection and credentials from.")
  public S3Spec s3;

  public int replicasOrDefault() {
    return replicas == null ? 1 : replicas;
  }

  public RolloutSpec rolloutOrDefault() {
    return rollout == null ? new RolloutSpec() : rollout;
  }

  public ServiceSpec serviceOrDefault() {
    return service == null ? new ServiceSpec() : service;
  }
}
