package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batching window applies only while other accepted requests are still being answered. */
class BatchSchedulerTest {
  /** Far longer than any bounded wait below: a request that waits for it fails the test. */
  private static final int WINDOW_MS = 600_000;

  @TempDir static Path tmp;
  static ServingModel model;

  @BeforeAll
  static void load() throws Exception {
    model =
        ServingModel.load(
            TinyModels.student(
                TinyModels.teacher(tmp.resolve("t"), 4), tmp.resolve("s"), java.util.List.of(1)),
            Device.cpu());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static GenerationRequest request(long seed) {
    return new GenerationRequest(0, model.classNames().get(0), seed, 1, AssetFormat.NPZ, 1);
  }

  @Test
  void aLoneRequestOnAnIdleQueueRunsWithoutWaitingForTheWindow() throws Exception {
    BatchScheduler s =
        new BatchScheduler(
            "cpu0",
            model,
            new ServingMetrics(),
            ServeOptions.loopback().withBatching(32, WINDOW_MS, 8));
    try {
      BatchScheduler.Output out = s.submit(request(1)).get(30, TimeUnit.SECONDS);
      assertThat(out.windowWaitNanos()).isZero();
      assertThat(out.batchSize()).isEqualTo(1);
      s.answered();
      // Idle again once answered: the next lone request does not wait either.
      BatchScheduler.Output next = s.submit(request(2)).get(30, TimeUnit.SECONDS);
      assertThat(next.windowWaitNanos()).isZero();
      s.answered();
    } finally {
      s.stopAccepting();
    }
  }

  @Test
  void whileAnotherRequestIsBeingAnsweredTheWindowHoldsTheBatchOpenForOthers() throws Exception {
    BatchScheduler s =
        new BatchScheduler(
            "cpu0",
            model,
            new ServingMetrics(),
            ServeOptions.loopback().withBatching(32, WINDOW_MS, 8));
    try {
      s.submit(request(1)).get(30, TimeUnit.SECONDS); // not answered yet: its client comes back
      var second = s.submit(request(2));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!s.holdingWindow() && System.nanoTime() < until) {
        Thread.sleep(1);
      }
      assertThat(s.holdingWindow()).isTrue();
      var third = s.submit(request(3));
      // The worker holds the second back for the window, so the third joins its batch; answering
      // the first leaves every accepted request queued, which ends the wait at once.
      s.answered();
      BatchScheduler.Output out = second.get(30, TimeUnit.SECONDS);
      assertThat(third.get(30, TimeUnit.SECONDS).batchSize()).isEqualTo(2);
      assertThat(out.batchSize()).isEqualTo(2);
      assertThat(out.windowWaitNanos()).isPositive();
    } finally {
      s.stopAccepting();
    }
  }

  @Test
  void aBatchDrawsItsNoiseInOneCallAndEverySampleIsItsLoneRunsSample() {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    model.useNoise(
        (seeds, size, into) -> {
          calls.incrementAndGet();
          BatchNoise.SEEDED.fill(seeds, size, into);
        });
    try {
      long[] seeds = {5, 6, 7, 8, 9, 10, 11, 12};
      int[] classes = {0, 1, 0, 1, 0, 1, 0, 1};
      float[][] batch = model.generate(1, classes, seeds);
      assertThat(calls.get()).isEqualTo(1);
      for (int i = 0; i < seeds.length; i++) {
        float[][] alone = model.generate(1, new int[] {classes[i]}, new long[] {seeds[i]});
        assertThat(alone[0]).containsExactly(batch[i], org.assertj.core.data.Offset.offset(1e-5f));
      }
      assertThat(calls.get()).isEqualTo(1 + seeds.length);
    } finally {
      model.useNoise(BatchNoise.SEEDED);
    }
  }
}
