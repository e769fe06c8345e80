package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Where the pods may run (trainer or serving pods); copied onto their pod template as they are. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlacementSpec {
  @JsonPropertyDescription("Node labels the pod's node must have.")
  public Map<String, String> nodeSelector;

  @Size(max = 32)
  @JsonPropertyDescription("Taints the pod tolerates, e.g. the GPU nodes' taint.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("Node and pod affinity of the pod.")
  public Affinity affinity;

  @Size(max = 253)
  @JsonPropertyDescription("PriorityClass of the pod.")
  public String priorityClassName;
}
