package io.distillery.mdt.model;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.BundledArtifacts;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.inputs.RemoteInputs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Loads the teacher that config {@code teacher} names: a Distillery artifact directory ({@code
 * format: djl}) or a TorchScript file ({@code format: torchscript}; its sample shape and class
 * count come from config {@code model}). {@code builtin:shipped} is the teacher of the config's
 * stage bundled in the program: the artifact under {@code src/main/resources/models/teacher-16/}
 * (structure) or {@code appearance-16/} (appearance).
 */
public final class Teachers {
  public static final String SHIPPED = "builtin:shipped";

  /** Name of the bundled structure teacher artifact (see {@link BundledArtifacts}). */
  public static final String SHIPPED_NAME = "teacher-16";

  /** Name of the bundled appearance teacher artifact. */
  public static final String SHIPPED_APPEARANCE_NAME = "appearance-16";

  /** The bundled teacher of a stage. */
  public static String shippedName(TrainerConfig.Stage stage) {
    return stage == TrainerConfig.Stage.APPEARANCE ? SHIPPED_APPEARANCE_NAME : SHIPPED_NAME;
  }

  /** The artifact a teacher URI names: the stage's bundled teacher or a directory. */
  public static Artifact openArtifact(String uri, TrainerConfig.Stage stage) throws IOException {
    return SHIPPED.equals(uri)
        ? BundledArtifacts.open(shippedName(stage))
        : Artifact.open(path(uri));
  }

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
    Artifact artifact = openArtifact(t.uri, cfg.stage);
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
    Optional<Path> downloaded = RemoteInputs.localCopy(uri);
    if (downloaded.isPresent()) {
      return downloaded.get();
    }
    if (uri.startsWith("file:")) {
      return Path.of(URI.create(uri));
    }
    if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
      throw new InvalidConfigException(
          "teacher.uri '"
              + uri
              + "': unsupported scheme; use builtin:shipped, a path, file:// or s3:// (pvc:// is resolved by the operator, which mounts the claim and passes a path)");
    }
    return Path.of(uri);
  }
}
