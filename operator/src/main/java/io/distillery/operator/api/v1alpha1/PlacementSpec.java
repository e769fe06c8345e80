package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Where the trainer pod may run; copied onto its pod template as they are. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlacementSpec {
  @JsonPropertyDescription("Node labels the trainer pod's node must have.")
  public Map<String, String> nodeSelector;

  @Size(max = 32)
  @JsonPropertyDescription("Taints the trainer pod tolerates, e.g. the GPU nodes' taint.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("Node and pod affinity of the trainer pod.")
  public Affinity affinity;

  @Size(max = 253)
  @JsonPropertyDescription("PriorityClass of the trainer pod.")
  public String priorityClassName;
}
