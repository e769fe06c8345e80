package io.distillery.mdt.storage;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.inputs.RemoteInputs;
import io.distillery.mdt.train.Checkpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The object-storage side of one training run ({@code mdt distill}, {@code mdt train-teacher}):
 * downloads its {@code s3://} inputs under {@code <output.dir>/.inputs/} and registers them with
 * {@link RemoteInputs}; with {@code output.uri}, restores the complete remote checkpoints, mirrors
 * every checkpoint written or pruned ({@link CheckpointMirror}) and publishes the artifacts and the
 * result. Without any s3:// URI in the config it does nothing and contacts nothing.
 */
public final class RemoteRun implements AutoCloseable {
  /** Where downloaded inputs go, under output.dir (kept out of the published layout). */
  public static final String INPUTS_DIR = ".inputs";

  private final ObjectStore store;
  private final Path outputDir;
  private final S3Location output;
  private final List<String> downloaded = new ArrayList<>();
  private AutoCloseable mirroring;

  private RemoteRun(ObjectStore store, Path outputDir, S3Location output) {
    this.store = store;
    this.outputDir = outputDir.toAbsolutePath().normalize();
    this.output = output;
  }

  /**
   * Downloads {@code cfg}'s remote inputs (the teacher only when {@code readsTeacher}: a teacher
   * trained from scratch has none) and starts mirroring its checkpoints, as configured.
   */
  public static RemoteRun start(TrainerConfig cfg, boolean readsTeacher) throws IOException {
    Path outputDir = Path.of(cfg.output.dir);
    TrainerConfig.Dataset d = cfg.dataset;
    boolean remoteInputs =
        (readsTeacher && RemoteInputs.isRemote(cfg.teacher.uri))
            || RemoteInputs.isRemote(d.uri)
            || RemoteInputs.isRemote(d.structureModel);
    if (!remoteInputs && cfg.output.uri == null) {
      return new RemoteRun(null, outputDir, null);
    }
    // Parsed before anything is contacted: a malformed URI is a configuration error (exit 2).
    S3Location output =
        cfg.output.uri == null ? null : S3Location.parse(cfg.output.uri, "output.uri");
    ObjectStore store = ObjectStore.open(S3Settings.fromEnvironment());
    RemoteRun run = new RemoteRun(store, outputDir, output);
    try {
      run.downloadInputs(cfg, readsTeacher);
      if (output != null) {
        CheckpointMirror mirror = new CheckpointMirror(store, outputDir, output);
        int restored = mirror.restore();
        if (restored > 0) {
          System.err.println(
              "mdt: restored "
                  + restored
                  + " checkpoint(s) from "
                  + output.child(CheckpointMirror.DIR));
        }
        run.mirroring = Checkpoints.observe(outputDir, mirror);
      }
      return run;
    } catch (IOException | RuntimeException e) {
      run.close();
      throw e;
    }
  }

  private void downloadInputs(TrainerConfig cfg, boolean readsTeacher) throws IOException {
    String teacher = cfg.teacher.uri;
    if (readsTeacher && RemoteInputs.isRemote(teacher)) {
      S3Location at = S3Location.parse(teacher, "teacher.uri");
      Path dir = inputDir("teacher");
      if ("torchscript".equals(cfg.teacher.format)) {
        // A TorchScript teacher is one object.
        Path file = dir.resolve(at.key().substring(at.key().lastIndexOf('/') + 1));
        store.download(at, file);
        register(teacher, file);
      } else {
        store.downloadPrefix(at, dir);
        register(teacher, dir);
      }
    }
    download(cfg.dataset.uri, "dataset.uri", "dataset");
    download(cfg.dataset.structureModel, "dataset.structureModel", "structure-model");
  }

  private void download(String uri, String field, String name) throws IOException {
    if (!RemoteInputs.isRemote(uri)) {
      return;
    }
    Path dir = inputDir(name);
    store.downloadPrefix(S3Location.parse(uri, field), dir);
    register(uri, dir);
  }

  /** A fresh directory for one input: whatever an earlier attempt left is replaced. */
  private Path inputDir(String name) throws IOException {
    Path dir = outputDir.resolve(INPUTS_DIR).resolve(name);
    CheckpointMirror.deleteTree(dir);
    return dir;
  }

  private void register(String uri, Path local) {
    RemoteInputs.register(uri, local);
    downloaded.add(uri);
  }

  /** The object-storage endpoint this run uses, for provenance; empty when it uses none. */
  public Optional<String> endpoint() {
    return store == null ? Optional.empty() : Optional.of(store.endpoint());
  }

  /**
   * Publishes a finished artifact under output.uri (its files, then manifest.json) and returns how
   * results name it: its s3:// URI, or its local path without output.uri.
   */
  public String publishArtifact(Path artifact) throws IOException {
    if (output == null) {
      return artifact.toString();
    }
    S3Location remote = remoteOf(artifact);
    store.uploadTree(artifact, remote, Artifact.MANIFEST);
    return remote.toString();
  }

  /** Uploads {@code file} (result.json, written after the artifacts) under output.uri. */
  public void publishFile(Path file) throws IOException {
    if (output != null) {
      store.upload(file, remoteOf(file));
    }
  }

  private S3Location remoteOf(Path local) {
    Path rel = outputDir.relativize(local.toAbsolutePath().normalize());
    return output.child(rel.toString().replace(rel.getFileSystem().getSeparator(), "/"));
  }

  @Override
  public void close() {
    try {
      if (mirroring != null) {
        mirroring.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      downloaded.forEach(RemoteInputs::forget);
      if (store != null) {
        store.close();
      }
    }
  }
}
