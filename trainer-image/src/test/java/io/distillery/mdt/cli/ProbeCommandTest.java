package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.distillery.config.CanaryProbeReport;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.serve.GenerationServer;
import io.distillery.mdt.serve.ServeOptions;
import io.distillery.mdt.serve.TinyModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt probe} through the command line against real in-process {@code mdt serve} servers on
 * loopback: a tiny teacher, a collapsed 1-step student of it (every sample a full cube), and the
 * teacher's weights under class names the shipped classifier does not know.
 */
class ProbeCommandTest {
  @TempDir static Path tmp;
  static GenerationServer teacher;
  static GenerationServer collapsed;
  static GenerationServer renamed;
  static final List<GenerationServer> SERVERS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path t = TinyModels.teacher(tmp.resolve("t"), 2);
    ServeOptions options = ServeOptions.loopback().withBatching(8, 5, 64);
    teacher = serve(t, options);
    collapsed = serve(TinyModels.constantStudent(t, tmp.resolve("full"), 1f), options);
    renamed = serve(renamed(t, tmp.resolve("renamed")), options);
  }

  private static GenerationServer serve(Path model, ServeOptions options) throws IOException {
    GenerationServer s = GenerationServer.start(model, options);
    SERVERS.add(s);
    return s;
  }

  /** The teacher's weights as a model of classes c0..c7, which the shipped classifier lacks. */
  private static Path renamed(Path teacherDir, Path target) throws IOException {
    try (ModelArtifacts.Loaded l = ModelArtifacts.load(teacherDir, Device.cpu())) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < l.card().classNames().size(); i++) {
        names.add("c" + i);
      }
      ModelCard card =
          ModelCard.builtIn(
              TrainerConfig.Stage.STRUCTURE,
              "teacher",
              l.card().model(),
              l.card().sampler(),
              false,
              names,
              Map.of());
      return ModelArtifacts.write(target, card, l.model().weights(), ModelArtifacts.Extras.none())
          .dir();
    }
  }

  @AfterAll
  static void stop() {
    SERVERS.forEach(GenerationServer::close);
  }

  private static String url(GenerationServer s) {
    return s.baseUri().toString();
  }

  private record Run(int exit, CanaryProbeReport report, String stdout, String stderr) {}

  private static Run probe(Path reportFile, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("probe"));
    all.addAll(List.of(args));
    if (reportFile != null) {
      all.addAll(List.of("--report", reportFile.toString()));
    }
    MdtCli cli = new MdtCli();
    int exit = cli.run(all.toArray(String[]::new));
    CanaryProbeReport r =
        reportFile != null && Files.exists(reportFile)
            ? CanaryProbeReport.parseOrNull(Files.readString(reportFile))
            : null;
    return new Run(exit, r, cli.out.toString(), cli.err.toString());
  }

  @Test
  void aModelAgainstItselfIsMeasuredWithItsOwnOutputsSeedForSeed(@TempDir Path dir)
      throws Exception {
    double userBefore = okRequests(teacher, "user");
    double probeBefore = okRequests(teacher, "probe");
    Path file = dir.resolve("termination-log");
    Run run = probe(file, "--canary", url(teacher), "--stable", url(teacher), "--probes", "8");

    assertThat(run.exit()).as(run.stderr()).isZero();
    CanaryProbeReport r = run.report();
    assertThat(r).isNotNull();
    assertThat(run.stdout().strip()).isEqualTo(Files.readString(file));
    assertThat(r.status).isEqualTo(CanaryProbeReport.MEASURED);
    assertThat(r.probes).isEqualTo(8);
    assertThat(r.features).isEqualTo("classifier");
    // Same model, same seeds: the very same outputs, so no distance at all.
    assertThat(r.distanceRatio).isZero();
    assertThat(r.canary.samples).isEqualTo(8);
    assertThat(r.stable.samples).isEqualTo(16);
    assertThat(r.canary.digest).isEqualTo(teacher.model().digest()).isEqualTo(r.stable.digest);
    assertThat(r.canary.emptyRate).isBetween(0.0, 1.0);
    assertThat(r.canary.classAccuracy).isBetween(0.0, 1.0);
    assertThat(r.stable.classAccuracy).isBetween(0.0, 1.0);
    assertThat(r.message).contains("8 probes");
    // 24 samples in requests of at most --max-count 4: 2 + 4 + 4 requests... of probe traffic only.
    assertThat(okRequests(teacher, "user")).isEqualTo(userBefore);
    assertThat(okRequests(teacher, "probe") - probeBefore).isGreaterThanOrEqualTo(6);
    try (var files = Files.list(dir)) {
      assertThat(files).as("no temporary file left beside the report").containsExactly(file);
    }
  }

  @Test
  void aCollapsedCanaryIsFarFromTheStableModel(@TempDir Path dir) throws Exception {
    Run run =
        probe(
            dir.resolve("r.json"),
            "--canary",
            url(collapsed),
            "--stable",
            url(teacher) + "," + url(teacher),
            "--probes",
            "8",
            "--seed",
            "5");
    assertThat(run.exit()).as(run.stderr()).isZero();
    CanaryProbeReport r = run.report();
    assertThat(r.status).isEqualTo(CanaryProbeReport.MEASURED);
    assertThat(r.canary.digest).isEqualTo(collapsed.model().digest());
    assertThat(r.canary.emptyRate).isZero(); // full cubes
    assertThat(r.distanceRatio).isGreaterThan(3);
  }

  @Test
  void aStableModelWithOneOutputForEverySeedGivesTheRatioNoScale(@TempDir Path dir)
      throws Exception {
    Run same = probe(dir.resolve("a"), "--canary", url(collapsed), "--stable", url(collapsed));
    assertThat(same.exit()).as(same.stderr()).isZero();
    assertThat(same.report().distanceRatio).isEqualTo(1.0);
    Run differs = probe(dir.resolve("b"), "--canary", url(teacher), "--stable", url(collapsed));
    assertThat(differs.exit()).isEqualTo(3);
    assertThat(differs.report().message)
        .startsWith("the stable model gave the same output for every seed");
  }

  @Test
  void modelsTheClassifierDoesNotKnowAreComparedOnOccupancy(@TempDir Path dir) throws Exception {
    Run run =
        probe(
            dir.resolve("r.json"),
            "--canary",
            url(renamed),
            "--stable",
            url(renamed),
            "--probes",
            "4",
            "--classes",
            "c1,c3");
    assertThat(run.exit()).as(run.stderr()).isZero();
    CanaryProbeReport r = run.report();
    assertThat(r.features).isEqualTo("occupancy");
    assertThat(r.distanceRatio).isZero();
    assertThat(r.canary.classAccuracy).isNull();
    assertThat(r.stable.classAccuracy).isNull();
    assertThat(r.message).contains("[c1, c3]");
  }

  @Test
  void withoutTheClassifierAProbeProcessNeverLoadsPyTorch() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-verbose:class",
                "-cp",
                System.getProperty("java.class.path"),
                Mdt.class.getName(),
                "probe",
                "--canary",
                url(renamed),
                "--stable",
                url(renamed),
                "--probes",
                "4")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("\"features\":\"occupancy\"");
    assertThat(out.lines().filter(l -> l.contains("ai.djl.pytorch")).toList())
        .as("PyTorch engine classes loaded")
        .isEmpty();
  }

  @Test
  void noCommonClassIsInconclusive(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.json");
    Run run = probe(file, "--canary", url(renamed), "--stable", url(teacher));
    assertThat(run.exit()).isEqualTo(CanaryProbeReport.INCONCLUSIVE_EXIT).isEqualTo(3);
    assertThat(run.report().status).isEqualTo(CanaryProbeReport.INCONCLUSIVE);
    assertThat(run.report().message).startsWith("no class both models serve").contains("c0");
    assertThat(run.report().distanceRatio).isNull();
    assertThat(run.report().canary).isNull();
  }

  @Test
  void aClassOneSideLacksIsInconclusiveNamingIt(@TempDir Path dir) throws Exception {
    Run run =
        probe(
            dir.resolve("r.json"),
            "--canary",
            url(teacher),
            "--stable",
            url(teacher),
            "--classes",
            "box,dragon");
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.report().message).contains("'dragon'").contains("canary");
  }

  @Test
  void aClosedPortIsInconclusiveNamingTheUrl(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String closed = "http://127.0.0.1:" + port;
    Path file = dir.resolve("termination-log");
    Run run = probe(file, "--canary", closed, "--stable", url(teacher));
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.report().status).isEqualTo(CanaryProbeReport.INCONCLUSIVE);
    assertThat(run.report().message).startsWith("canary " + closed).contains("cannot connect");
    assertThat(run.stdout().strip()).isEqualTo(Files.readString(file));
  }

  @Test
  void anErrorAnswerIsInconclusiveWithTheStatusAndTheServersText(@TempDir Path dir)
      throws Exception {
    // Listening, never loaded: every /v1/model is a 503.
    try (GenerationServer loading = GenerationServer.listen(ServeOptions.loopback())) {
      Run run = probe(dir.resolve("r.json"), "--canary", url(teacher), "--stable", url(loading));
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.report().message)
          .isEqualTo(
              "stable " + url(loading) + ": GET /v1/model answered HTTP 503: no model loaded yet");
    }
  }

  @Test
  void aPodThatNeverAnswersRunsIntoTheDeadline(@TempDir Path dir) throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept()); // read nothing, answer nothing
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String url = "http://127.0.0.1:" + silent.getLocalPort();
      Run run =
          probe(dir.resolve("r.json"), "--canary", url(teacher), "--stable", url, "--timeout", "1");
      assertThat(run.exit()).isEqualTo(3);
      assertThat(run.report().message)
          .isEqualTo("stable " + url + ": no answer within the probe's deadline (--timeout 1 s)");
    }
  }

  @Test
  void badOptionsExitTwoAndWriteNoReport(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.json");
    Run tooMany =
        probe(file, "--canary", url(teacher), "--stable", url(teacher), "--probes", "1000");
    assertThat(tooMany.exit()).isEqualTo(2);
    assertThat(tooMany.stderr()).contains("--probes must be 4..256, got 1000");
    Run notAUrl = probe(file, "--canary", "10.0.0.1:8080", "--stable", url(teacher));
    assertThat(notAUrl.exit()).isEqualTo(2);
    assertThat(notAUrl.stderr()).contains("--canary: '10.0.0.1:8080' is not a pod's base URL");
    assertThat(probe(file, "--stable", url(teacher)).exit()).isEqualTo(2);
    Run twice =
        probe(file, "--canary", url(teacher), "--stable", url(teacher), "--classes", "box,box");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.stderr()).contains("--classes names a class twice");
    assertThat(file).doesNotExist();
  }

  private static double okRequests(GenerationServer s, String traffic) {
    Matcher m =
        Pattern.compile(
                "(?m)^mdt_serve_requests_total\\{outcome=\"ok\",traffic=\""
                    + traffic
                    + "\"} (\\S+)$")
            .matcher(s.metrics().scrape());
    assertThat(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
