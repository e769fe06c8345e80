package io.distillery.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads, writes, overrides and validates {@link TrainerConfig} files (YAML or JSON). */
public final class TrainerConfigs {
  /** Strict mapper: an unknown key is an error. YAML is a superset of JSON, so it reads both. */
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private TrainerConfigs() {}

  /** Reads a config file; unknown keys, bad types and a missing file fail naming the problem. */
  public static TrainerConfig read(Path file) {
    return parse(text(file), file.toString());
  }

  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException("config file " + file + " does not exist");
    } catch (CharacterCodingException e) {
      // The JDK's own message ("Input length = 1") names neither the file nor the problem.
      throw new InvalidConfigException(file + ": not a UTF-8 YAML/JSON file");
    } catch (IOException e) {
      throw new InvalidConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  /**
   * Parses YAML or JSON text; {@code source} names it in error messages. Fields the text leaves out
   * take the defaults of the stage it names ({@link TrainerConfig#defaultsFor}).
   */
  public static TrainerConfig parse(String text, String source) {
    return materialize(tree(text, source), source);
  }

  /**
   * The effective config of a file (or none: {@code null}) with {@code fileless} applied only when
   * there is no file, then {@code overrides} (dotted paths, as {@link #withOverrides}). The stage's
   * defaults fill what none of them states, so {@code --set stage=appearance} alone gives the
   * appearance defaults while a value stated anywhere wins.
   */
  public static TrainerConfig load(
      Path file, Map<String, String> fileless, Map<String, String> overrides) {
    ObjectNode tree;
    if (file == null) {
      tree = YAML.createObjectNode();
      override(tree, fileless);
    } else {
      tree = tree(text(file), file.toString());
    }
    override(tree, overrides);
    return materialize(tree, overrides.isEmpty() && file != null ? file.toString() : "override");
  }

  /** The keys a config text states; checked as a whole config first, so errors keep lines. */
  private static ObjectNode tree(String text, String source) {
    if (text.isBlank()) {
      return YAML.createObjectNode();
    }
    try {
      YAML.readValue(text, TrainerConfig.class);
      JsonNode node = YAML.readTree(text);
      return node instanceof ObjectNode object ? object : YAML.createObjectNode();
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException(
          source
              + ": unknown key '"
              + path(e)
              + "' (known keys here: "
              + e.getKnownPropertyIds()
              + ")");
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source + ": " + e.getOriginalMessage() + at(e));
    }
  }

  /** The stated keys over the defaults of the stage they name. */
  private static TrainerConfig materialize(ObjectNode stated, String source) {
    try {
      TrainerConfig.Stage stage =
          stated.hasNonNull("stage")
              ? YAML.treeToValue(stated.get("stage"), TrainerConfig.Stage.class)
              : TrainerConfig.Stage.STRUCTURE;
      ObjectNode tree = YAML.valueToTree(TrainerConfig.defaultsFor(stage));
      mergeInto(tree, stated);
      return YAML.treeToValue(tree, TrainerConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException(source + ": unknown key '" + path(e) + "'");
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source + ": " + e.getOriginalMessage());
    }
  }

  /** Objects merge key by key; anything else stated (scalars, lists) replaces the default. */
  private static void mergeInto(ObjectNode target, ObjectNode stated) {
    stated
        .fields()
        .forEachRemaining(
            f -> {
              JsonNode existing = target.get(f.getKey());
              if (existing instanceof ObjectNode to && f.getValue() instanceof ObjectNode from) {
                mergeInto(to, from);
              } else {
                target.set(f.getKey(), f.getValue());
              }
            });
  }

  /**
   * Applies dotted-path overrides such as {@code hyperparameters.maxSteps=100} on top of a config,
   * with the same strictness as the file (an unknown path is an error naming it).
   */
  public static TrainerConfig withOverrides(TrainerConfig base, Map<String, String> overrides) {
    ObjectNode tree = YAML.valueToTree(base);
    override(tree, overrides);
    try {
      return YAML.treeToValue(tree, TrainerConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException("override: unknown key '" + path(e) + "'");
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException("override: " + e.getOriginalMessage());
    }
  }

  /** Sets dotted paths in a config tree; an unknown key fails when the tree is read. */
  private static void override(ObjectNode tree, Map<String, String> overrides) {
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      String[] parts = o.getKey().split("\\.");
      ObjectNode node = tree;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonNode child = node.get(parts[i]);
        if (child == null || child.isNull()) {
          // An optional section left unset (evaluation.features); an unknown key still fails
          // below, when the tree is read back.
          child = node.putObject(parts[i]);
        }
        if (!(child instanceof ObjectNode)) {
          throw new InvalidConfigException(
              "override '" + o.getKey() + "': unknown key '" + parts[i] + "'");
        }
        node = (ObjectNode) child;
      }
      String leaf = parts[parts.length - 1];
      try {
        JsonNode value = YAML.readTree(o.getValue());
        if (value == null || value.isMissingNode()) {
          node.put(leaf, o.getValue()); // `key=`: the empty string
        } else {
          node.set(leaf, value);
        }
      } catch (JsonProcessingException e) {
        node.put(leaf, o.getValue());
      }
    }
  }

  /** Renders the config as YAML (what the operator puts into the ConfigMap). */
  public static String toYaml(TrainerConfig config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Shared JSON mapper for the result and progress documents. */
  public static ObjectMapper json() {
    return JSON;
  }

  /** All problems of a config, each naming its field; empty when valid. */
  public static List<String> problems(TrainerConfig c) {
    List<String> p = new ArrayList<>();
    TrainerConfig.Hyperparameters h = c.hyperparameters;
    if (c.studentSteps == null || c.studentSteps.isEmpty()) {
      p.add("studentSteps: must list at least one step count");
    } else {
      for (Integer s : c.studentSteps) {
        if (s == null || s < 1 || s > 8) {
          p.add("studentSteps: " + s + " is outside 1-8");
        }
      }
    }
    if (c.teacher.sampler.steps < 1) {
      p.add("teacher.sampler.steps: must be at least 1, got " + c.teacher.sampler.steps);
    }
    if (c.teacher.sampler.rescaleT <= 0) {
      p.add("teacher.sampler.rescaleT: must be positive, got " + c.teacher.sampler.rescaleT);
    }
    if (!List.of("djl", "torchscript").contains(c.teacher.format)) {
      p.add("teacher.format: must be djl or torchscript, got '" + c.teacher.format + "'");
    }
    if (!List.of("auto", "cpu", "gpu").contains(c.device)) {
      p.add("device: must be auto, cpu or gpu, got '" + c.device + "'");
    }
    if (c.replicas < 0) p.add("replicas: must not be negative, got " + c.replicas);
    if (c.replicas > 0 && h.batchSize >= 1 && h.batchSize < c.replicas) {
      p.add(
          "hyperparameters.batchSize: "
              + h.batchSize
              + " is smaller than replicas: "
              + c.replicas
              + " (each device needs at least one sample of the global batch)");
    }
    if (h.maxSteps < 1) p.add("hyperparameters.maxSteps: must be positive, got " + h.maxSteps);
    if (h.batchSize < 1) p.add("hyperparameters.batchSize: must be positive, got " + h.batchSize);
    if (!(h.learningRate > 0)) p.add("hyperparameters.learningRate: must be positive");
    if (h.weightDecay < 0) p.add("hyperparameters.weightDecay: must not be negative");
    if (h.warmupSteps < 0) p.add("hyperparameters.warmupSteps: must not be negative");
    if (h.emaRate < 0 || h.emaRate >= 1) p.add("hyperparameters.emaRate: must be in [0, 1)");
    if (!"fp32".equals(h.precision) && !"fp16".equals(h.precision)) {
      p.add(
          "hyperparameters.precision: must be fp32 or fp16, got '"
              + h.precision
              + "'"
              + ("bf16".equals(h.precision)
                  ? " (DJL's PyTorch engine has no bfloat16 type; fp16 uses loss scaling)"
                  : ""));
    }
    if (h.lambdaVM < 0) p.add("hyperparameters.lambdaVM: must not be negative");
    if (h.lambdaVD < 0) p.add("hyperparameters.lambdaVD: must not be negative");
    if (h.lambdaVM == 0 && h.lambdaVD == 0) {
      p.add("hyperparameters: at least one of lambdaVM and lambdaVD must be above zero");
    }
    if (h.cfgTeacherVM < 0) p.add("hyperparameters.cfgTeacherVM: must not be negative");
    if (h.cfgTeacherVD < 0) p.add("hyperparameters.cfgTeacherVD: must not be negative");
    if (!(h.interval > 0 && h.interval < 0.5)) {
      p.add("hyperparameters.interval: must be in (0, 0.5), got " + h.interval);
    }
    if (h.tSchedule.std <= 0) p.add("hyperparameters.tSchedule.std: must be positive");
    if (h.gradClip.maxNorm <= 0) p.add("hyperparameters.gradClip.maxNorm: must be positive");
    if (h.gradClip.percentile <= 0 || h.gradClip.percentile > 100) {
      p.add("hyperparameters.gradClip.percentile: must be in (0, 100]");
    }
    if (h.gradClip.window < 1) p.add("hyperparameters.gradClip.window: must be positive");
    if (h.pUncond < 0 || h.pUncond >= 1) p.add("hyperparameters.pUncond: must be in [0, 1)");
    if (h.multiphase < 1) p.add("hyperparameters.multiphase: must be at least 1");
    if (c.evaluation.samples < 1) p.add("evaluation.samples: must be positive");
    if (c.evaluation.maxFdRatio != null && !(c.evaluation.maxFdRatio > 0)) {
      p.add("evaluation.maxFdRatio: must be above zero (a ratio of 0 can never be met)");
    }
    if (c.evaluation.minSpeedup != null && !(c.evaluation.minSpeedup > 0)) {
      p.add("evaluation.minSpeedup: must be above zero");
    }
    if (c.evaluation.maxPairedError != null && !(c.evaluation.maxPairedError > 0)) {
      p.add("evaluation.maxPairedError: must be above zero (an error of 0 can never be met)");
    }
    Double iou = c.evaluation.minPairedIoU;
    if (iou != null && !(iou > 0 && iou <= 1)) {
      p.add("evaluation.minPairedIoU: must be in (0, 1], got " + iou);
    }
    TrainerConfig.Features f = c.evaluation.features;
    if (f != null) {
      if (f.uri == null || f.uri.isBlank()) {
        p.add(
            "evaluation.features.uri: must be builtin:classifier, builtin:teacher or a TorchScript"
                + " module's path");
      } else if (!f.uri.startsWith("builtin:")
          && (f.digest == null || !f.digest.matches("sha256:[0-9a-f]{64}"))) {
        p.add(
            "evaluation.features.digest: a TorchScript feature module needs its sha256:<64 hex>"
                + " digest, got "
                + f.digest);
      } else if (f.uri.startsWith("builtin:")
          && !f.uri.equals(TrainerConfig.Features.CLASSIFIER)
          && !f.uri.equals(TrainerConfig.Features.TEACHER)) {
        p.add(
            "evaluation.features.uri: unknown built-in "
                + f.uri
                + " (builtin:classifier or builtin:teacher)");
      }
    }
    if (c.output.uri != null
        && !c.output.uri.matches("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?")) {
      p.add(
          "output.uri: must be s3://<bucket>/<prefix> (bucket: 3-63 lowercase letters, digits, '.'"
              + " or '-'), got '"
              + c.output.uri
              + "'");
    }
    if (c.checkpointEverySteps < 1) p.add("checkpointEverySteps: must be positive");
    if (c.progressPort < 0 || c.progressPort > 65535) p.add("progressPort: must be 0-65535");
    if (c.dataset.resolution != 16 && c.dataset.resolution != 32) {
      p.add("dataset.resolution: must be 16 or 32, got " + c.dataset.resolution);
    }
    if (c.stage == null) {
      p.add("stage: must be structure or appearance");
    } else {
      ModelSpecChecks.addProblems(c.stage, c.model, p);
    }
    return p;
  }

  /** Throws {@link InvalidConfigException} listing every problem, if any. */
  public static TrainerConfig validated(TrainerConfig c) {
    List<String> p = problems(c);
    if (!p.isEmpty()) {
      throw new InvalidConfigException("invalid configuration:\n  - " + String.join("\n  - ", p));
    }
    return c;
  }

  private static String path(UnrecognizedPropertyException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!sb.isEmpty()) sb.append('.');
        sb.append(ref.getFieldName());
      } else {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String at(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }
}
