package io.distillery.mdt.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A validated {@code POST /v1/generate} body. Sample {@code i} of the request uses seed {@code seed
 * + i}, so a request for one sample with that seed reproduces it.
 */
public record GenerationRequest(
    int classIndex, String className, long seed, int steps, AssetFormat format, int count) {

  static final Set<String> FIELDS = Set.of("class", "seed", "steps", "format", "count");

  /** Duplicate keys are an error: which of two values a client meant is anybody's guess. */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** The seed of sample {@code i}. */
  public long seed(int i) {
    return seed + i;
  }

  /**
   * What a request may ask of the loaded model. {@code channels}: 1 where channel 0 is an occupancy
   * grid (a one-channel model, a pipeline); {@code stageSteps}: a pipeline's step counts per stage
   * (empty for one model); {@code coloured}: samples carry colours (a pipeline).
   */
  public record Limits(
      List<String> classNames,
      SortedSet<Integer> allowedSteps,
      int defaultSteps,
      int maxCount,
      boolean student,
      int channels,
      Map<String, SortedSet<Integer>> stageSteps,
      boolean coloured) {

    static Limits of(ServingModel m, int maxCount) {
      return new Limits(
          m.classNames(),
          m.allowedSteps(),
          m.defaultSteps(),
          maxCount,
          m.card().guidanceBakedIn(),
          m.occupancy() ? 1 : m.channels(),
          m.stageSteps(),
          m.coloured());
    }

    /** Why {@code steps} (not in {@link #allowedSteps}) is refused. */
    String stepsRule(int steps) {
      if (!stageSteps.isEmpty()) {
        StringBuilder b = new StringBuilder("this pipeline samples both stages at the same steps;");
        stageSteps.forEach(
            (stage, allowed) -> {
              if (!allowed.contains(steps)) {
                b.append(" the ")
                    .append(stage)
                    .append(" stage serves steps ")
                    .append(range(allowed));
                b.append(';');
              }
            });
        return b.append(" both serve ").append(range(allowedSteps)).toString();
      }
      return student
          ? "this student was trained for steps " + allowedSteps
          : "this model accepts " + allowedSteps.first() + ".." + allowedSteps.last();
    }

    private static String range(SortedSet<Integer> steps) {
      boolean contiguous = steps.last() - steps.first() + 1 == steps.size();
      return contiguous && steps.size() > 2
          ? steps.first() + ".." + steps.last()
          : steps.toString();
    }
  }

  /**
   * Parses and validates {@code body}; every problem is an {@link ApiException} naming the field.
   * Absent fields: a random seed, the model's default steps, format {@code ply}, count 1.
   */
  public static GenerationRequest parse(String body, Limits limits) {
    List<String> classNames = limits.classNames();
    if (body == null || body.isBlank()) {
      throw ApiException.badField(
          null, "request body is empty: expected a JSON object such as {\"class\": \"chair\"}");
    }
    JsonNode root = readOneValue(body);
    if (root == null || !root.isObject()) {
      throw ApiException.badField(null, "request body must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw ApiException.badField(
            name, "unknown field '" + name + "' (known: class, seed, steps, format, count)");
      }
    }
    JsonNode cls = root.get("class");
    if (cls == null || cls.isNull()) {
      throw ApiException.badField("class", "'class' is required, one of " + classNames);
    }
    if (!cls.isTextual()) {
      throw ApiException.badField("class", "'class' must be a string, one of " + classNames);
    }
    int classIndex = classNames.indexOf(cls.asText());
    if (classIndex < 0) {
      throw ApiException.badField(
          "class", "unknown class '" + cls.asText() + "', expected one of " + classNames);
    }
    long seed = ThreadLocalRandom.current().nextLong(0, 1L << 53);
    JsonNode s = root.get("seed");
    if (s != null && !s.isNull()) {
      if (!s.isIntegralNumber() || !s.canConvertToLong()) {
        throw ApiException.badField("seed", "'seed' must be an integer (64-bit), got " + s);
      }
      seed = s.asLong();
    }
    int steps = limits.defaultSteps();
    JsonNode st = root.get("steps");
    if (st != null && !st.isNull()) {
      if (!st.isIntegralNumber() || !st.canConvertToInt()) {
        throw ApiException.badField("steps", "'steps' must be an integer, got " + st);
      }
      steps = st.asInt();
      if (!limits.allowedSteps().contains(steps)) {
        throw ApiException.badField(
            "steps", "steps " + steps + " is not supported: " + limits.stepsRule(steps));
      }
    }
    AssetFormat format = AssetFormat.PLY;
    JsonNode f = root.get("format");
    if (f != null && !f.isNull()) {
      format = f.isTextual() ? AssetFormat.parse(f.asText()) : null;
      if (format == null) {
        throw ApiException.badField(
            "format", "unsupported format " + f + ", expected one of " + AssetFormat.names());
      }
    }
    if (format == AssetFormat.OBJ && limits.coloured()) {
      throw ApiException.badField(
          "format",
          "format obj is not served for a two-stage pipeline: its colours need a second file (a"
              + " .mtl material library); use glb or ply (vertex colours), or npz");
    }
    if (format.needsOccupancy() && limits.channels() != 1) {
      throw ApiException.badField(
          "format",
          "this model's samples have "
              + limits.channels()
              + " channels, not an occupancy grid: only format npz applies");
    }
    int count = 1;
    JsonNode c = root.get("count");
    if (c != null && !c.isNull()) {
      if (!c.isIntegralNumber() || !c.canConvertToInt()) {
        throw ApiException.badField("count", "'count' must be an integer, got " + c);
      }
      count = c.asInt();
      if (count < 1 || count > limits.maxCount()) {
        throw ApiException.badField(
            "count", "count " + count + " is out of range, must be 1.." + limits.maxCount());
      }
    }
    return new GenerationRequest(classIndex, cls.asText(), seed, steps, format, count);
  }

  /** The one JSON value of {@code body}; anything after it (garbage, a second object) is a 400. */
  private static JsonNode readOneValue(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      JsonNode root = JSON.readTree(p);
      long end = p.currentLocation().getCharOffset();
      JsonToken next;
      try {
        next = p.nextToken();
      } catch (JsonProcessingException garbage) {
        next = JsonToken.NOT_AVAILABLE;
      }
      if (next != null) {
        throw ApiException.badField(
            null,
            "request body has trailing content after its JSON value (from character "
                + end
                + "): send exactly one JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw ApiException.badField(
          null, "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }
}
