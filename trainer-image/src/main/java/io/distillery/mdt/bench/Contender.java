package io.distillery.mdt.bench;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.VelocityModel;
import java.util.List;

/**
 * One row of a comparison: a model and how it samples.
 *
 * @param method {@code teacher}, {@code cm} or {@code mdt}
 */
public record Contender(String method, VelocityModel model, SamplerSettings sampler) {
  /** The teacher sampled at {@code steps} with its reference CFG strength and time rescale. */
  public static Contender teacher(VelocityModel model, TrainerConfig.Sampler reference, int steps) {
    return new Contender(
        "teacher", model, new SamplerSettings(steps, reference.cfgStrength, reference.rescaleT));
  }

  /** A student of {@code method} at each of {@code steps}, in that order (guidance baked in). */
  public static List<Contender> student(String method, VelocityModel model, List<Integer> steps) {
    return steps.stream()
        .map(s -> new Contender(method, model, SamplerSettings.student(s)))
        .toList();
  }

  public String name() {
    return name(method, sampler.steps());
  }

  /** The name of the row of {@code method} at {@code steps}, e.g. {@code mdt 1 step}. */
  public static String name(String method, int steps) {
    return method + " " + steps + (steps == 1 ? " step" : " steps");
  }
}
