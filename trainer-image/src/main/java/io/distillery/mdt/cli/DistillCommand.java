package io.distillery.mdt.cli;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.distill.DistillPipeline;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.progress.Monitors;
import io.distillery.mdt.storage.RemoteRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mdt distill}: what a DistillationJob's trainer pod runs. */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    description = {
      "Distill config `teacher` into a few-step student with config `method` (mdt: Velocity"
          + " Matching + Velocity Distillation; cm: consistency distillation), evaluate it at each"
          + " of config `studentSteps` against the teacher's own sampler in the same run, apply the"
          + " gates of config `evaluation`, and write <out>/student-<method> (EMA weights,"
          + " model.json, manifest.json, loss.png, evaluation/) and <out>/result.json.",
      "The result JSON also goes to config `terminationMessagePath` for the operator."
          + " Checkpoints go to <out>/checkpoints; running again with the same output resumes.",
      "With config `output.uri` (s3://bucket/prefix) <out> is local scratch mirrored there:"
          + " checkpoints are uploaded as written and restored at start, the artifacts and"
          + " result.json are uploaded at the end. s3:// teacher, dataset and structure model are"
          + " downloaded to <out>/.inputs first.",
      "Exit codes: 0 ok, 2 invalid configuration, 3 invalid input, 4 diverged, 5 gate failed,"
          + " 6 object storage unreachable, 143 preempted: on SIGTERM the current step is"
          + " checkpointed (and uploaded) first."
    })
public final class DistillCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrainerConfig cfg = options.load();
    // Checked before any data loads: the device count found, the replicas asked for, the batch.
    var devices = Devices.forTraining(cfg.device, cfg.replicas, cfg.hyperparameters.batchSize);
    var device = devices.get(0);
    DistillPipeline.Outcome o;
    try (RemoteRun remote = RemoteRun.start(cfg, true);
        var monitor = Monitors.forRun(cfg, "distill " + cfg.method.name().toLowerCase())) {
      Map<String, Object> provenance = Provenance.of(spec, device, cfg, remote);
      o = DistillPipeline.run(cfg, device, monitor, provenance, publisher(remote));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "student written to %s%n  digest %s%n  %d steps (resumed from %d), %.1f ms/step on %s%n%n%s%n%s%n",
        o.result().artifact,
        o.run().digest(),
        o.run().steps(),
        o.run().resumedFromStep(),
        o.run().secondsPerStep() * 1000,
        devices.size() == 1 ? device : devices,
        o.table(),
        o.result().gate.passed ? "gate: passed" : "gate: FAILED (" + o.result().gate.reason + ")");
    out.flush();
    return o.exitCode();
  }

  /** Outputs published under config output.uri, when set (else left in output.dir). */
  private static DistillPipeline.Publisher publisher(RemoteRun remote) {
    return new DistillPipeline.Publisher() {
      @Override
      public String artifact(Path dir) throws IOException {
        return remote.publishArtifact(dir);
      }

      @Override
      public void result(Path file) throws IOException {
        remote.publishFile(file);
      }
    };
  }
}
