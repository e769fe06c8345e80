package io.distillery.mdt.cli;

import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.progress.Monitors;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.storage.RemoteRun;
import io.distillery.mdt.train.TeacherTraining;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mdt train-teacher}: parse, train, print where the teacher is. */
@Command(
    name = "train-teacher",
    mixinStandardHelpOptions = true,
    description = {
      "Train the built-in flow transformer (config `model`) as a teacher with flow matching on"
          + " config `dataset`, and write it as an artifact <out>/teacher (EMA weights, model.json,"
          + " manifest.json, loss.png). Checkpoints go to <out>/checkpoints/teacher; running again"
          + " with the same output resumes from the newest one. SIGTERM checkpoints the current"
          + " step and exits with 143 (preempted).",
      "With config `output.uri` (s3://bucket/prefix) <out> is local scratch mirrored there"
          + " (checkpoints as written, the artifact at the end; exit code 6 when object storage is"
          + " unreachable). An s3:// dataset is downloaded to <out>/.inputs first.",
      "Serves GET /progress and GET /metrics on progressPort while training."
    })
public final class TrainTeacherCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrainerConfig cfg = options.load();
    if (cfg.stage == TrainerConfig.Stage.APPEARANCE && !DatasetLoader.hasBuiltinColours(cfg)) {
      // Checked before the engine starts: only the built-in shapes carry colours to learn from.
      throw new InvalidConfigException(
          "dataset: an appearance teacher learns colours, which only builtin:shapes carries; a"
              + " structure dataset or dataset.structureModel serves appearance distillation"
              + " (mdt distill) only");
    }
    // Checked before any data loads: the device count found, the replicas asked for, the batch.
    var devices = Devices.forTraining(cfg.device, cfg.replicas, cfg.hyperparameters.batchSize);
    var device = devices.get(0);
    PrintWriter out = spec.commandLine().getOut();
    TeacherTraining.Result r;
    String artifact;
    try (RemoteRun remote = RemoteRun.start(cfg, false);
        TrainingMonitor monitor = Monitors.forRun(cfg, "teacher")) {
      Map<String, Object> provenance = Provenance.of(spec, device, cfg, remote);
      r = TeacherTraining.run(cfg, device, monitor, provenance);
      artifact = remote.publishArtifact(r.artifact());
    }
    out.printf(
        "teacher written to %s%n  digest %s%n  %d steps (resumed from %d), %.1f ms/step on %s, %d parameters%n  final losses %s%n",
        artifact,
        r.digest(),
        r.steps(),
        r.resumedFromStep(),
        r.secondsPerStep() * 1000,
        devices.size() == 1 ? device : devices,
        r.parameters(),
        r.finalLosses());
    out.flush();
    return 0;
  }
}
