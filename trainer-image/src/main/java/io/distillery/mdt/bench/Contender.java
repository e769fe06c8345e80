package io.distillery.mdt.bench;

import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.VelocityModel;

/**
 * One row of a comparison: a model and how it samples.
 *
 * @param method {@code teacher}, {@code cm} or {@code mdt}
 */
public record Contender(String method, VelocityModel model, SamplerSettings sampler) {
  public String name() {
    return method + " " + sampler.steps() + (sampler.steps() == 1 ? " step" : " steps");
  }
}
