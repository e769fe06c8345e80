package io.distillery.operator.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text exposition (format 0.0.4), as far as reading {@code mdt serve}'s
 * counters and histograms needs: name, labels and value of each sample line; comments, timestamps
 * and lines that do not parse are skipped, as are non-finite or negative values.
 */
final class PrometheusSamples {
  private static final Pattern LINE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+-?\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?\\s*");

  record Sample(String name, Map<String, String> labels, double value) {
    String label(String name) {
      return labels.get(name);
    }
  }

  private PrometheusSamples() {}

  static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(m.group(4));
      } catch (NumberFormatException e) {
        continue;
      }
      if (!Double.isFinite(value) || value < 0) {
        continue;
      }
      samples.add(new Sample(m.group(1), labels(m.group(3)), value));
    }
    return samples;
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null) {
      return labels;
    }
    Matcher m = LABEL.matcher(text);
    while (m.lookingAt()) {
      labels.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      m.region(m.end(), text.length());
    }
    return labels;
  }
}
