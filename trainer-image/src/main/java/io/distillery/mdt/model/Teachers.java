package io.distillery.mdt.model;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.BundledArtifacts;
import io.distillery.mdt.flow.SamplerSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Loads the teacher that config {@code teacher} names: a Distillery artifact directory ({@code
 * format: djl}) or a TorchScript file ({@code format: torchscript}; its sample shape and class
 * count come from config {@code model}). {@code builtin:shipped} is the teacher bundled in the
 * program, the artifact under {@code src/main/resources/models/teacher-16/}.
 */
public final class Teachers {
  public static final String SHIPPED = "builtin:shipped";

  /** Name of the bundled teacher artifact (see {@link BundledArtifacts}). */
  public static final String SHIPPED_NAME = "teacher-16";

  private Teachers() {}

  /** A loaded teacher with its sampler defaults and class names. */
  public record Teacher(
      VelocityModel model, SamplerSettings sampler, List<String> classNames, String source)
      implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  public static Teacher load(TrainerConfig cfg, Device device) throws IOException {
    TrainerConfig.Teacher t = cfg.teacher;
    SamplerSettings configured =
        new SamplerSettings(t.sampler.steps, t.sampler.cfgStrength, t.sampler.rescaleT);
    if ("torchscript".equals(t.format)) {
      Path path = path(t.uri);
      ai.djl.ndarray.types.Shape shape =
          new ai.djl.ndarray.types.Shape(
              cfg.model.channels, cfg.model.resolution, cfg.model.resolution, cfg.model.resolution);
      VelocityModel ts =
          cfg.stage == TrainerConfig.Stage.APPEARANCE
              ? SparseTorchScriptTeacher.load(path, shape, cfg.model.numClasses, device)
              : TorchScriptTeacher.load(path, shape, cfg.model.numClasses, device);
      List<String> names =
          IntStream.range(0, cfg.model.numClasses).mapToObj(i -> "class" + i).toList();
      return new Teacher(ts, configured, names, path.toString());
    }
    Artifact artifact =
        t.uri.equals(SHIPPED) ? BundledArtifacts.open(SHIPPED_NAME) : Artifact.open(path(t.uri));
    ModelArtifacts.Loaded loaded = ModelArtifacts.load(artifact, device);
    return new Teacher(
        loaded.model(),
        configured,
        loaded.card().classNames(),
        t.uri + " (" + loaded.artifact().digest() + ")");
  }

  /** The directory or file a teacher URI (other than builtin:shipped) points to. */
  public static Path path(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new InvalidConfigException("teacher.uri: must not be empty");
    }
    if (uri.startsWith("file:")) {
      return Path.of(URI.create(uri));
    }
    if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
      throw new InvalidConfigException(
          "teacher.uri '"
              + uri
              + "': unsupported scheme; use builtin:shipped, a path or file:// (pvc:// is resolved by the operator, which mounts the claim and passes a path)");
    }
    return Path.of(uri);
  }
}
