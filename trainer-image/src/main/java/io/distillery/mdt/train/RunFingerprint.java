package io.distillery.mdt.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a checkpoint must match to be resumed. {@code run} names what is trained (run kind, model,
 * teacher, seed); a checkpoint of another run is refused as incompatible. {@code settings} holds,
 * by configuration key, every setting that shapes the training trajectory: all of {@code
 * hyperparameters} but {@code maxSteps} (a run may be extended) and all of {@code dataset}. A
 * resume under changed settings would continue one run's optimizer state under another's settings,
 * a student neither of them describes, so it is refused with the changed keys named.
 */
public record RunFingerprint(String run, SortedMap<String, String> settings) {
  /** Settings that may change on resume without changing what the checkpoint continues. */
  private static final List<String> MAY_CHANGE = List.of("hyperparameters.maxSteps");

  public RunFingerprint {
    settings = new TreeMap<>(settings);
  }

  public static RunFingerprint of(String run, TrainerConfig c) {
    SortedMap<String, String> s = new TreeMap<>();
    flatten("hyperparameters", TrainerConfigs.json().valueToTree(c.hyperparameters), s);
    flatten("dataset", TrainerConfigs.json().valueToTree(c.dataset), s);
    MAY_CHANGE.forEach(s::remove);
    // fp32 is how every run trained before the setting existed: their checkpoints still resume.
    s.remove("hyperparameters.precision", "fp32");
    return new RunFingerprint(run, s);
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(prefix + "." + e.getKey(), e.getValue(), into));
    } else {
      into.put(prefix, node.isValueNode() ? node.asText() : node.toString());
    }
  }

  /** The settings that differ from {@code saved}'s, as {@code key saved -> now}. */
  public List<String> changesFrom(RunFingerprint saved) {
    List<String> changes = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(settings.keySet());
    keys.addAll(saved.settings.keySet());
    for (String k : keys) {
      String was = saved.settings.getOrDefault(k, "(unset)");
      String now = settings.getOrDefault(k, "(unset)");
      if (!was.equals(now)) {
        changes.add(k + " " + was + " -> " + now);
      }
    }
    return changes;
  }
}
