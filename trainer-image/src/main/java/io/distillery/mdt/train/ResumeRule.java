package io.distillery.mdt.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.InvalidConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which checkpoint, if any, a new loop resumes (README "Checkpoints and resuming"): the newest
 * verified one, only if it was written by the same run ({@link RunFingerprint#run}, else {@link
 * IncompatibleCheckpointException}) under the same settings (else {@link InvalidConfigException}
 * naming the changed keys), and never one of a run that diverged ({@link DivergenceRecord}).
 */
final class ResumeRule {
  private ResumeRule() {}

  static Optional<Checkpoints.Verified> choose(
      Checkpoints checkpoints, RunFingerprint now, Consumer<String> say) {
    Optional<DivergenceRecord> diverged = DivergenceRecord.read(checkpoints.root());
    if (diverged.isPresent()) {
      startAfterDivergence(checkpoints, diverged.get(), now, say);
      return Optional.empty();
    }
    Optional<Checkpoints.Verified> latest = checkpoints.newestVerified(say);
    latest.ifPresent(v -> checkSameRun(v, now));
    return latest;
  }

  /** Stops again under the settings that diverged; under any change, starts fresh. */
  private static void startAfterDivergence(
      Checkpoints checkpoints, DivergenceRecord d, RunFingerprint now, Consumer<String> say) {
    List<String> changes = now.changesFrom(d.fingerprint());
    if (!now.run().equals(d.fingerprint().run())) {
      changes.add(0, "the run (" + d.fingerprint().run() + " -> " + now.run() + ")");
    }
    if (changes.isEmpty()) {
      throw new TrainingDivergedException(
          d.step(),
          "the run in "
              + checkpoints.root()
              + " already diverged with these settings and would again: "
              + d.message()
              + " (with changed settings, such as a lower hyperparameters.learningRate, it"
              + " starts fresh)");
    }
    say.accept(
        "mdt: the run in "
            + checkpoints.root()
            + " diverged at step "
            + d.step()
            + "; changed: "
            + String.join(", ", changes)
            + "; discarding its checkpoints and starting fresh from step 0");
    checkpoints.discardAll();
    try {
      checkpoints.deleteDivergenceRecord();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkSameRun(Checkpoints.Verified v, RunFingerprint now) {
    JsonNode state = v.state();
    String run = state.path("fingerprint").asText();
    if (!run.equals(now.run())) {
      throw new IncompatibleCheckpointException(
          "checkpoint "
              + v.dir()
              + " was written for '"
              + run
              + "', this run is '"
              + now.run()
              + "'; use another output directory or delete it");
    }
    TreeMap<String, String> saved = new TreeMap<>();
    state
        .path("settings")
        .fields()
        .forEachRemaining(e -> saved.put(e.getKey(), e.getValue().asText()));
    List<String> changes = now.changesFrom(new RunFingerprint(run, saved));
    if (!changes.isEmpty()) {
      throw new InvalidConfigException(
          "checkpoint "
              + v.dir()
              + " was written under other settings ("
              + String.join(", ", changes)
              + "; saved -> now) and resumes only the run that wrote it: restore those settings"
              + " to resume, or set a new output.dir (or delete "
              + v.dir().getParent()
              + ") to start fresh");
    }
  }
}
