package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.ExitCodes;
import io.distillery.mdt.serve.TinyModels;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer fault-injection suite: real {@code mdt distill} processes on a tiny teacher are
 * SIGKILLed 10 times (after a checkpoint, or while one is being written), SIGTERMed 5 times (each
 * must checkpoint its step and exit with {@link ExitCodes#PREEMPTED}), and restarted from a newest
 * checkpoint with one flipped byte (the run must fall back to the previous one and say so); each
 * interrupted run must end with a student whose weights file is byte for byte the one of an
 * uninterrupted run. The weights file, not the artifact digest, is compared, so what else the
 * artifact records (dates, reports) does not matter. Counts go to target/fault-reports/trainer.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistillFaultInjectionTest {
  private static final int MAX_STEPS = 60;
  private static final int EVERY = 3;
  private static final Pattern STOPPED =
      Pattern.compile("stopped by SIGTERM/SIGINT after step (\\d+) of " + MAX_STEPS);

  @TempDir static Path dir;
  static Path teacher;
  static byte[] straightWeights;
  static final List<String> report = new ArrayList<>();
  static final long began = System.nanoTime();

  @BeforeAll
  static void teacherAndAnUninterruptedRun() throws Exception {
    teacher = TinyModels.teacher(dir.resolve("teacher-run"), 3);
    Path out = dir.resolve("straight");
    long t0 = System.nanoTime();
    Process p = start(out, "straight");
    assertThat(finish(p, out, "straight")).isEqualTo(ExitCodes.OK);
    straightWeights = weights(out);
    report.add(
        "- uninterrupted run: "
            + MAX_STEPS
            + " steps, checkpoint every "
            + EVERY
            + ", "
            + seconds(t0)
            + " s, student weights "
            + straightWeights.length
            + " bytes");
  }

  @Test
  @Order(1)
  void tenKillsAtRandomMomentsEndWithTheUninterruptedWeights() throws Exception {
    Path out = dir.resolve("killed");
    Random random = new Random(14);
    List<Long> targets = targets(random, 10);
    List<String> rows = new ArrayList<>();
    int duringWrite = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < targets.size(); i++) {
      long resumeFrom = newestStep(out).orElse(0L);
      List<Path> leftBefore = unfinishedWrites(out);
      Process p = start(out, "kill-" + i);
      // Even kills wait for a checkpoint write in progress, odd ones land at a random point of a
      // step after the target checkpoint.
      boolean aimAtWrite = i % 2 == 0;
      awaitCheckpoint(
          p, out, Math.max(targets.get(i), resumeFrom + 1), aimAtWrite ? leftBefore : null);
      if (!aimAtWrite) {
        Thread.sleep(random.nextInt(150));
      }
      long newestAtKill = newestStep(out).orElse(0L);
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      boolean leftAWrite = !newWrites(out, leftBefore).isEmpty();
      duringWrite += leftAWrite ? 1 : 0;
      assertThat(p.exitValue()).as("SIGKILL").isEqualTo(137);
      assertResumedFrom(out, "kill-" + i, resumeFrom);
      rows.add(
          String.format(
              "| %d | %d | %d | %s | %d |",
              i + 1, resumeFrom, newestAtKill, leftAWrite ? "yes" : "no", p.exitValue()));
    }
    long resumeFrom = newestStep(out).orElse(0L);
    assertThat(finish(start(out, "kill-final"), out, "kill-final")).isEqualTo(ExitCodes.OK);
    assertResumedFrom(out, "kill-final", resumeFrom);
    boolean identical = Arrays.equals(weights(out), straightWeights);
    report.add(
        String.format(
            "- SIGKILL: %d kills, %d resumes, %d landed during a checkpoint write, final resume"
                + " from step %d, weights bit-identical: %s, %s s",
            targets.size(), targets.size(), duringWrite, resumeFrom, yes(identical), seconds(t0)));
    report.add("");
    report.add(
        "| kill | resumed from step | newest checkpoint at the kill | during a write | exit |");
    report.add("|---|---|---|---|---|");
    report.addAll(rows);
    report.add("");
    assertThat(identical).as("weights after 10 SIGKILLs equal the uninterrupted run's").isTrue();
    // A killed write leaves a temporary directory; the next write deletes it.
    assertThat(unfinishedWrites(out)).isEmpty();
  }

  @Test
  @Order(2)
  void fiveTerminationsCheckpointAndACorruptNewestCheckpointFallsBack() throws Exception {
    Path out = dir.resolve("terminated");
    Random random = new Random(15);
    List<Long> targets = targets(random, 5);
    List<String> rows = new ArrayList<>();
    long t0 = System.nanoTime();
    long lastStop = 0;
    for (int i = 0; i < targets.size(); i++) {
      long resumeFrom = newestStep(out).orElse(0L);
      Process p = start(out, "term-" + i);
      awaitCheckpoint(p, out, Math.max(targets.get(i), lastStop + 1), null);
      Thread.sleep(random.nextInt(150));
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = Files.readString(log(out, "term-" + i, "err"));
      assertThat(p.exitValue()).as(err).isEqualTo(ExitCodes.PREEMPTED);
      Matcher m = STOPPED.matcher(err);
      assertThat(m.find()).as("says where it stopped: " + err).isTrue();
      long stoppedAt = Long.parseLong(m.group(1));
      assertThat(stoppedAt).isGreaterThan(resumeFrom);
      assertThat(newestStep(out)).as("its step was checkpointed").hasValue(stoppedAt);
      assertResumedFrom(out, "term-" + i, resumeFrom);
      lastStop = stoppedAt;
      rows.add(String.format("| %d | %d | %d | %d |", i + 1, resumeFrom, stoppedAt, p.exitValue()));
    }

    List<Long> kept = checkpointSteps(out);
    long corrupted = kept.get(kept.size() - 1);
    long previous = kept.get(kept.size() - 2);
    flipAByte(checkpointDir(out).resolve(String.format("step-%08d", corrupted)));
    assertThat(finish(start(out, "term-final"), out, "term-final")).isEqualTo(ExitCodes.OK);
    String err = Files.readString(log(out, "term-final", "err"));
    assertThat(err)
        .contains(String.format("step-%08d is corrupt", corrupted))
        .contains("does not match its SHA-256")
        .contains("resuming from step " + previous);
    assertResumedFrom(out, "term-final", previous);
    boolean identical = Arrays.equals(weights(out), straightWeights);
    report.add(
        String.format(
            "- SIGTERM: %d terminations, each exit %d with its step checkpointed, %d resumes;"
                + " then the newest checkpoint (step %d) got a flipped byte: the run set it aside,"
                + " said so and resumed from step %d; weights bit-identical: %s, %s s",
            targets.size(),
            ExitCodes.PREEMPTED,
            targets.size() + 1,
            corrupted,
            previous,
            yes(identical),
            seconds(t0)));
    report.add("");
    report.add("| SIGTERM | resumed from step | checkpointed and stopped at step | exit |");
    report.add("|---|---|---|---|");
    report.addAll(rows);
    report.add("");
    assertThat(identical)
        .as("weights after 5 SIGTERMs and a corrupt checkpoint equal the uninterrupted run's")
        .isTrue();
  }

  @AfterAll
  static void writeTheReport() throws IOException {
    report.add(0, "# Trainer fault injection (DistillFaultInjectionTest)");
    report.add(1, "");
    report.add("Total wall time: " + seconds(began) + " s.");
    Path file = Path.of("target", "fault-reports", "trainer.md");
    Files.createDirectories(file.getParent());
    String text = String.join("\n", report) + "\n";
    Files.writeString(file, text, StandardCharsets.UTF_8);
    System.out.println(text);
  }

  /** {@code n} distinct checkpoint steps spread over the run, ascending, leaving room to finish. */
  private static List<Long> targets(Random random, int n) {
    List<Long> all = new ArrayList<>();
    for (long s = EVERY; s <= MAX_STEPS - 2 * EVERY; s += EVERY) {
      all.add(s);
    }
    Collections.shuffle(all, random);
    return all.subList(0, n).stream().sorted().toList();
  }

  private static Process start(Path out, String name) throws IOException {
    Files.createDirectories(out);
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            "io.distillery.mdt.cli.Mdt",
            "distill",
            "--out",
            out.toString(),
            "--progress-port",
            "0",
            "--device",
            "cpu",
            "--set",
            "teacher.uri=" + teacher,
            "--set",
            "teacher.sampler.steps=3",
            "--set",
            "hyperparameters.maxSteps=" + MAX_STEPS,
            "--set",
            "checkpointEverySteps=" + EVERY,
            "--set",
            "hyperparameters.batchSize=4",
            "--set",
            "dataset.trainSamples=16",
            "--set",
            "dataset.heldOutSamples=32",
            "--set",
            "evaluation.samples=16",
            "--set",
            "studentSteps=[1]")
        .redirectOutput(log(out, name, "out").toFile())
        .redirectError(log(out, name, "err").toFile())
        .start();
  }

  private static Path log(Path out, String name, String stream) {
    return out.resolveSibling(out.getFileName() + "-" + name + "." + stream);
  }

  private static int finish(Process p, Path out, String name) throws Exception {
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          name + " did not finish:\n" + Files.readString(log(out, name, "err")));
    }
    return p.exitValue();
  }

  /**
   * Waits until a checkpoint at or after {@code step} exists; unless {@code earlierWrites} is null,
   * then until a checkpoint write is in progress (a temporary directory not among those), if one is
   * seen in time.
   */
  private static void awaitCheckpoint(Process p, Path out, long step, List<Path> earlierWrites)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (newestStep(out).orElse(0L) < step) {
      assertThat(p.isAlive()).as("run ended before step %d", step).isTrue();
      assertThat(System.nanoTime()).as("checkpoint %d in time", step).isLessThan(deadline);
      Thread.sleep(2);
    }
    if (earlierWrites != null) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (newWrites(out, earlierWrites).isEmpty() && System.nanoTime() < until && p.isAlive()) {
        Thread.onSpinWait();
      }
    }
  }

  /** The run started from {@code step}: its first progress line is step {@code step + 1}. */
  private static void assertResumedFrom(Path out, String name, long step) throws IOException {
    String err = Files.readString(log(out, name, "err"));
    if (err.contains("distill mdt step ")) {
      assertThat(err).as(name).contains("distill mdt step " + (step + 1) + "/" + MAX_STEPS);
    }
  }

  private static Path checkpointDir(Path out) {
    return out.resolve("checkpoints/student-mdt");
  }

  private static List<Long> checkpointSteps(Path out) throws IOException {
    Path root = checkpointDir(out);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(q -> q.getFileName().toString())
          .filter(n -> n.matches("step-\\d+"))
          .map(n -> Long.parseLong(n.substring(5)))
          .sorted()
          .toList();
    } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException racedWithPrune) {
      return checkpointSteps(out);
    }
  }

  private static Optional<Long> newestStep(Path out) throws IOException {
    return checkpointSteps(out).stream().max(Comparator.naturalOrder());
  }

  private static List<Path> unfinishedWrites(Path out) throws IOException {
    Path root = checkpointDir(out);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(q -> q.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }

  private static List<Path> newWrites(Path out, List<Path> earlier) throws IOException {
    return unfinishedWrites(out).stream().filter(w -> !earlier.contains(w)).toList();
  }

  private static void flipAByte(Path checkpoint) throws IOException {
    try (RandomAccessFile f =
        new RandomAccessFile(checkpoint.resolve("weights.safetensors").toFile(), "rw")) {
      long at = f.length() - 5;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
    }
  }

  private static byte[] weights(Path out) throws IOException {
    return Files.readAllBytes(out.resolve("student-mdt/weights.safetensors"));
  }

  private static String seconds(long since) {
    return String.format("%.1f", (System.nanoTime() - since) / 1e9);
  }

  private static String yes(boolean b) {
    return b ? "yes" : "NO";
  }
}
