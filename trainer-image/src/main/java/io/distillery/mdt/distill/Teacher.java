package io.distillery.mdt.distill;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.artifact.Digests;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.FlowModels;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.SparseTorchScriptTeacher;
import io.distillery.mdt.model.Teachers;
import io.distillery.mdt.model.TorchScriptTeacher;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A loaded teacher and how to make a student from it: a student starts as an exact, trainable copy
 * of the teacher's weights (docs/algorithm.md section 2), while the teacher itself stays frozen.
 * Works for the built-in transformer (a Distillery artifact) and for a TorchScript module {@code
 * v(x, 1000 t, cond)}, whose student is a second load of the same module with its own trainable
 * parameters.
 */
public final class Teacher implements AutoCloseable {
  /** File name of the TorchScript module inside a TorchScript student's artifact. */
  public static final String TORCHSCRIPT_FILE = ModelCard.TORCHSCRIPT_FILE;

  /** {@code kind} of a TorchScript student's model.json. */
  public static final String TORCHSCRIPT_KIND = ModelCard.TORCHSCRIPT;

  private final VelocityModel model;
  private final TrainerConfig.Stage stage;
  private final TrainerConfig.ModelSpec spec;
  private final List<String> classNames;
  private final SamplerSettings sampler;
  private final String digest;
  private final String source;
  private final Path torchScript;

  private Teacher(
      VelocityModel model,
      TrainerConfig.Stage stage,
      TrainerConfig.ModelSpec spec,
      List<String> classNames,
      SamplerSettings sampler,
      String digest,
      String source,
      Path torchScript) {
    this.model = model;
    this.stage = stage;
    this.spec = spec;
    this.classNames = classNames;
    this.sampler = sampler;
    this.digest = digest;
    this.source = source;
    this.torchScript = torchScript;
    model.weights().requireGradients(false);
  }

  /** Loads config {@code teacher} ({@link Teachers}). */
  public static Teacher load(TrainerConfig cfg, Device device) throws IOException {
    if ("torchscript".equals(cfg.teacher.format)) {
      Path file = Teachers.path(cfg.teacher.uri);
      Teachers.Teacher t = Teachers.load(cfg, device);
      return new Teacher(
          t.model(),
          cfg.stage,
          cfg.model,
          null,
          t.sampler(),
          "sha256:" + Digests.ofFile(file),
          cfg.teacher.uri,
          file);
    }
    Artifact artifact = Teachers.openArtifact(cfg.teacher.uri, cfg.stage);
    ModelArtifacts.Loaded loaded = ModelArtifacts.load(artifact, device);
    ModelCard card = loaded.card();
    if (card.stage() != cfg.stage) {
      loaded.close();
      throw new InvalidConfigException(
          "stage: "
              + stageName(cfg.stage)
              + ", but the teacher "
              + cfg.teacher.uri
              + " is a model of the "
              + stageName(card.stage())
              + " stage; set stage: "
              + stageName(card.stage())
              + " or name a teacher of the "
              + stageName(cfg.stage)
              + " stage");
    }
    return new Teacher(
        loaded.model(),
        card.stage(),
        card.model(),
        card.classNames(),
        card.sampler(),
        artifact.digest(),
        cfg.teacher.uri,
        null);
  }

  public VelocityModel model() {
    return model;
  }

  /** Which flow of the two-stage generator the teacher is. */
  public TrainerConfig.Stage stage() {
    return stage;
  }

  static String stageName(TrainerConfig.Stage s) {
    return s.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The architecture (for a TorchScript teacher: the shape stated in config {@code model}). */
  public TrainerConfig.ModelSpec spec() {
    return spec;
  }

  public String digest() {
    return digest;
  }

  public String source() {
    return source;
  }

  /** Class names the teacher was trained with; null when the teacher does not say (TorchScript). */
  public List<String> classNames() {
    return classNames;
  }

  /** The teacher's own sampler (steps, CFG, rescale). */
  public SamplerSettings sampler() {
    return sampler;
  }

  public boolean isTorchScript() {
    return torchScript != null;
  }

  /** A new, trainable student initialised with a copy of the teacher's weights. */
  public VelocityModel newStudent() throws IOException {
    return newStudentOn(model.device());
  }

  /** A new, trainable student on {@code device} (a data-parallel replica's). */
  public VelocityModel newStudentOn(Device device) throws IOException {
    if (isTorchScript()) {
      return stage == TrainerConfig.Stage.APPEARANCE
          ? SparseTorchScriptTeacher.load(torchScript, sampleShape(), spec.numClasses, device)
          : TorchScriptTeacher.load(torchScript, sampleShape(), spec.numClasses, device);
    }
    return FlowModels.withWeights(stage, spec, model.weights().copyTo(device));
  }

  /**
   * The frozen teacher on {@code device}, for a data-parallel replica: the teacher itself on its
   * own device (it is only read, so replicas on one device share it), otherwise a copy that the
   * caller closes ({@link #isCopy}).
   */
  public VelocityModel replicaOn(Device device) throws IOException {
    if (device.equals(model.device())) {
      return model;
    }
    VelocityModel copy = newStudentOn(device);
    copy.weights().requireGradients(false);
    return copy;
  }

  /** Whether {@code m} (from {@link #replicaOn}) is a copy to close, not the teacher itself. */
  public boolean isCopy(VelocityModel m) {
    return m != model;
  }

  /** A student model holding {@code weights} (e.g. the EMA), for evaluation before export. */
  public VelocityModel studentWith(Weights weights) throws IOException {
    VelocityModel m = newStudent();
    m.weights().copyFrom(weights);
    return m;
  }

  /**
   * The card of a student of this teacher. A TorchScript student's artifact holds the module
   * ({@link #TORCHSCRIPT_FILE}) and the distilled weights; {@link ModelArtifacts#load} loads the
   * module and copies the weights in.
   */
  public ModelCard studentCard(
      SamplerSettings studentSampler, List<String> names, Map<String, Object> training) {
    ModelCard c = ModelCard.builtIn(stage, "student", spec, studentSampler, true, names, training);
    if (!isTorchScript()) {
      return c;
    }
    return new ModelCard(
        stage == TrainerConfig.Stage.APPEARANCE ? ModelCard.SPARSE_TORCHSCRIPT : TORCHSCRIPT_KIND,
        c.role(),
        c.model(),
        c.sampler(),
        c.guidanceBakedIn(),
        c.classNames(),
        c.weights(),
        c.conventions(),
        c.training());
  }

  /** Files a student artifact needs besides its weights and card. */
  public void writeModelFiles(ArtifactWriter w) throws IOException {
    if (isTorchScript()) {
      Files.copy(torchScript, w.path(TORCHSCRIPT_FILE));
    }
  }

  private Shape sampleShape() {
    return new Shape(spec.channels, spec.resolution, spec.resolution, spec.resolution);
  }

  @Override
  public void close() {
    model.close();
  }
}
