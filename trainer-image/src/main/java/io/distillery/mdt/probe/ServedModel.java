package io.distillery.mdt.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a serving pod's {@code GET /v1/model} says that the probe needs.
 *
 * @param channels 1 for occupancy grids (one-channel models and pipelines)
 * @param maxCount most samples one generate request may ask for (1 from a server that does not say)
 */
public record ServedModel(
    String digest, List<String> classes, int resolution, int channels, int maxCount) {

  /** Null when {@code info} lacks classes or a resolution. */
  static ServedModel parse(JsonNode info) {
    List<String> classes = new ArrayList<>();
    info.path("classes").forEach(c -> classes.add(c.asText()));
    int resolution = info.path("resolution").asInt(0);
    if (classes.isEmpty() || resolution < 1) {
      return null;
    }
    return new ServedModel(
        info.path("digest").asText(""),
        List.copyOf(classes),
        resolution,
        info.path("channels").asInt(1),
        Math.max(1, info.path("maxCount").asInt(1)));
  }

  /** Whether its samples are occupancy grids, which the {@code voxels} format returns. */
  boolean occupancy() {
    return channels == 1;
  }
}
