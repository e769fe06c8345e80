package io.distillery.mdt.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
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
   *
   * <p>Read with the streaming parser, no tree per request: a value of the expected type is taken
   * straight from its token; any other value is read as a node only to name it in the error. The
   * whole body is read before any field is judged, so a malformed body is a JSON error first, as it
   * would be for a tree.
   */
  public static GenerationRequest parse(String body, Limits limits) {
    List<String> classNames = limits.classNames();
    if (body == null || body.isBlank()) {
      throw ApiException.badField(
          null, "request body is empty: expected a JSON object such as {\"class\": \"chair\"}");
    }
    Fields root = readOneObject(body);
    if (root == null) {
      throw ApiException.badField(null, "request body must be a JSON object");
    }
    if (root.unknown != null) {
      throw ApiException.badField(
          root.unknown,
          "unknown field '" + root.unknown + "' (known: class, seed, steps, format, count)");
    }
    Value cls = root.cls;
    if (cls == null || cls.isNull) {
      throw ApiException.badField("class", "'class' is required, one of " + classNames);
    }
    if (cls.text == null) {
      throw ApiException.badField("class", "'class' must be a string, one of " + classNames);
    }
    int classIndex = classNames.indexOf(cls.text);
    if (classIndex < 0) {
      throw ApiException.badField(
          "class", "unknown class '" + cls.text + "', expected one of " + classNames);
    }
    long seed = ThreadLocalRandom.current().nextLong(0, 1L << 53);
    Value s = root.seed;
    if (s != null && !s.isNull) {
      if (!s.isLong) {
        throw ApiException.badField("seed", "'seed' must be an integer (64-bit), got " + s);
      }
      seed = s.number;
    }
    int steps = limits.defaultSteps();
    Value st = root.steps;
    if (st != null && !st.isNull) {
      if (!st.isInt()) {
        throw ApiException.badField("steps", "'steps' must be an integer, got " + st);
      }
      steps = (int) st.number;
      if (!limits.allowedSteps().contains(steps)) {
        throw ApiException.badField(
            "steps", "steps " + steps + " is not supported: " + limits.stepsRule(steps));
      }
    }
    AssetFormat format = AssetFormat.PLY;
    Value f = root.format;
    if (f != null && !f.isNull) {
      format = f.text != null ? AssetFormat.parse(f.text) : null;
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
    Value c = root.count;
    if (c != null && !c.isNull) {
      if (!c.isInt()) {
        throw ApiException.badField("count", "'count' must be an integer, got " + c);
      }
      count = (int) c.number;
      if (count < 1 || count > limits.maxCount()) {
        throw ApiException.badField(
            "count", "count " + count + " is out of range, must be 1.." + limits.maxCount());
      }
    }
    return new GenerationRequest(classIndex, cls.text, seed, steps, format, count);
  }

  /**
   * One field's value: a string ({@code text}), a 64-bit integer ({@code isLong}, {@code number}),
   * null, or anything else as a node ({@code other}), kept only to name it in an error.
   */
  private record Value(String text, boolean isLong, long number, boolean isNull, JsonNode other) {
    boolean isInt() {
      return isLong && number == (int) number;
    }

    /** As the value reads in JSON, for error messages. */
    @Override
    public String toString() {
      if (other != null) {
        return other.toString();
      }
      if (text != null) {
        return TextNode.valueOf(text).toString();
      }
      return isNull ? "null" : Long.toString(number);
    }
  }

  /** The known fields of the body's object (null: absent) and the first unknown field's name. */
  private static final class Fields {
    Value cls;
    Value seed;
    Value steps;
    Value format;
    Value count;
    String unknown;
  }

  /**
   * The one JSON value of {@code body} read as an object's fields, null when it is not an object;
   * anything after it (garbage, a second object) is a 400.
   */
  private static Fields readOneObject(String body) {
    try (JsonParser p = JSON.createParser(body)) {
      Fields fields = null;
      if (p.nextToken() == JsonToken.START_OBJECT) {
        fields = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          switch (name) {
            case "class" -> fields.cls = value(p);
            case "seed" -> fields.seed = value(p);
            case "steps" -> fields.steps = value(p);
            case "format" -> fields.format = value(p);
            case "count" -> fields.count = value(p);
            default -> {
              if (fields.unknown == null) {
                fields.unknown = name;
              }
              p.skipChildren();
            }
          }
        }
      } else {
        p.skipChildren();
      }
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
      return fields;
    } catch (JsonProcessingException e) {
      throw ApiException.badField(
          null, "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }

  /** The value at the parser's current token; other kinds are read as a node, for the error. */
  private static Value value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return new Value(p.getText(), false, 0, false, null);
    }
    if (t == JsonToken.VALUE_NULL) {
      return new Value(null, false, 0, true, null);
    }
    if (t == JsonToken.VALUE_NUMBER_INT
        && (p.getNumberType() == JsonParser.NumberType.INT
            || p.getNumberType() == JsonParser.NumberType.LONG)) {
      return new Value(null, true, p.getLongValue(), false, null);
    }
    return new Value(null, false, 0, false, JSON.readTree(p));
  }
}
