package io.distillery.mdt.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.Checkpoints;
import io.distillery.mdt.train.FlowMatchingLoss;
import io.distillery.mdt.train.SyntheticData;
import io.distillery.mdt.train.TrainingDivergedException;
import io.distillery.mdt.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckpointMirror} with a real training loop and a real S3 server: what a new pod with an
 * empty disk gets back from the bucket (complete checkpoints only, and the record of a run that
 * diverged, so that a rerun with a lower learning rate starts fresh rather than resuming the
 * checkpoints written while the loss rose).
 */
class CheckpointMirrorTest {
  @TempDir static Path dir;
  static S3TestServer server;
  static ObjectStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start(dir.resolve("weed"));
    server.createBucket("mirror");
    store = server.store();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static TrainingLoop.Settings settings(Path out, double lr) {
    return new TrainingLoop.Settings(
        8, 8, lr, 0, 0, 0.9, 1.0, 95, 50, 2, out.resolve("checkpoints/student"), "student test");
  }

  /** Trains with the mirror on; the loss turns NaN in step 5, after checkpoints 2 and 4. */
  private static void divergeAfterCheckpoints(Path out, S3Location uri) throws Exception {
    try (AutoCloseable mirroring = Checkpoints.observe(out, new CheckpointMirror(store, out, uri));
        FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(out, 3e-3), m.weights())) {
      FlowMatchingLoss fm = new FlowMatchingLoss(m, new SyntheticData(24), 8, 0.2, 1, 1, 5);
      TrainingLoop.StepLoss nanInStep5 =
          (scope, step) -> {
            TrainingLoop.StepLosses l = fm.compute(scope, step);
            return step < 4 ? l : new TrainingLoop.StepLosses(l.total().mul(Float.NaN), l.logged());
          };
      assertThatThrownBy(() -> loop.run(nanInStep5, TrainingMonitor.none()))
          .isInstanceOf(TrainingDivergedException.class);
    }
  }

  @Test
  void aNewPodGetsTheCompleteCheckpointsAndTheDivergenceRecordBack() throws Exception {
    Path out = dir.resolve("out");
    S3Location uri = S3Location.parse("s3://mirror/run", "t");
    divergeAfterCheckpoints(out, uri);
    // An upload that never finished: no SHA256SUMS.
    Path partial = Files.createDirectories(dir.resolve("partial"));
    Files.writeString(partial.resolve("state.json"), "{}");
    store.upload(
        partial.resolve("state.json"), uri.child("checkpoints/student/step-00000006/state.json"));
    assertThat(names(uri))
        .contains(
            "checkpoints/student/DIVERGED.json",
            "checkpoints/student/step-00000002/SHA256SUMS",
            "checkpoints/student/step-00000004/SHA256SUMS");

    deleteTree(out); // a new pod
    assertThat(new CheckpointMirror(store, out, uri).restore()).isEqualTo(2);
    Path local = out.resolve("checkpoints/student");
    assertThat(local.resolve("DIVERGED.json")).exists();
    assertThat(local.resolve("step-00000004/SHA256SUMS")).exists();
    assertThat(local.resolve("step-00000006")).doesNotExist();

    // The same settings stop again; a lower learning rate starts fresh and clears the bucket.
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      assertThatThrownBy(() -> new TrainingLoop(settings(out, 3e-3), m.weights()))
          .isInstanceOf(TrainingDivergedException.class);
    }
    try (AutoCloseable mirroring = Checkpoints.observe(out, new CheckpointMirror(store, out, uri));
        FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(out, 1e-3), m.weights())) {
      assertThat(loop.step()).isZero();
    }
    assertThat(names(uri))
        .doesNotContain(
            "checkpoints/student/DIVERGED.json",
            "checkpoints/student/step-00000002/SHA256SUMS",
            "checkpoints/student/step-00000004/SHA256SUMS");
  }

  private static List<String> names(S3Location prefix) throws Exception {
    return store.list(prefix).stream().map(ObjectStore.RemoteObject::name).toList();
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
