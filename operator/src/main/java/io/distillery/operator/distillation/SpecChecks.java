package io.distillery.operator.distillation;

import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the CRD schema cannot check, or an older CRD may not: input locations, the output path,
 * quantity syntax, what the appearance stage allows ({@link AppearanceStageChecks}), and the
 * trainer's own validation of the rendered config ({@link TrainerConfigs#problems}). Each problem
 * names its field under {@code spec}.
 */
public final class SpecChecks {
  private SpecChecks() {}

  public static List<String> problems(DistillationJob dj) {
    DistillationJobSpec spec = dj.getSpec();
    List<String> p = new ArrayList<>();
    if (spec == null || spec.teacher == null || spec.output == null) {
      p.add("spec.teacher and spec.output are required");
      return p;
    }
    InputUris.problem("spec.teacher.uri", spec.teacher.uri).ifPresent(p::add);
    if (spec.dataset != null && spec.dataset.uri != null) {
      InputUris.problem("spec.dataset.uri", spec.dataset.uri).ifPresent(p::add);
    }
    if (spec.dataset != null && spec.dataset.structureModel != null) {
      InputUris.problem("spec.dataset.structureModel", spec.dataset.structureModel)
          .ifPresent(p::add);
    }
    if (spec.evaluation != null && spec.evaluation.features != null) {
      InputUris.problem("spec.evaluation.features.uri", spec.evaluation.features.uri)
          .ifPresent(p::add);
    }
    if (spec.output.uri != null && !InputUris.isS3(spec.output.uri)) {
      p.add("spec.output.uri: '" + spec.output.uri + "' is not s3://<bucket>/<prefix>");
    } else if (spec.output.uri != null) {
      InputUris.problem("spec.output.uri", spec.output.uri).ifPresent(p::add);
    }
    outputPath(spec.output.path).ifPresent(p::add);
    positive("spec.output.size", spec.output.size, p);
    if (spec.resources != null) {
      positive("spec.resources.cpu", spec.resources.cpu, p);
      positive("spec.resources.memory", spec.resources.memory, p);
    }
    AppearanceStageChecks.addProblems(spec, p);
    if (p.isEmpty()) {
      for (String problem : TrainerConfigs.problems(TrainerConfigRenderer.render(dj))) {
        p.add("spec (as trainer config) " + problem);
      }
    }
    return p;
  }

  /**
   * The output directory is joined onto the claim's mount: an absolute path, an empty segment or a
   * '.'/'..' segment could write outside it (the CRD refuses these too; this guards an older CRD).
   */
  static Optional<String> outputPath(String path) {
    if (path == null) {
      return Optional.empty();
    }
    boolean escapes =
        path.isEmpty()
            || path.startsWith("/")
            || Arrays.stream(path.split("/", -1))
                .anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
    return escapes
        ? Optional.of(
            "spec.output.path: '"
                + path
                + "' must be a relative directory on the claim (no leading '/', no empty, '.' or"
                + " '..' segment)")
        : Optional.empty();
  }

  private static void positive(String field, Quantity q, List<String> p) {
    if (q == null) {
      return;
    }
    try {
      if (Quantity.getAmountInBytes(q).compareTo(BigDecimal.ZERO) <= 0) {
        p.add(field + ": must be above zero, got '" + q + "'");
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      p.add(field + ": '" + q + "' is not a Kubernetes quantity (e.g. 500m, 2, 8Gi)");
    }
  }
}
