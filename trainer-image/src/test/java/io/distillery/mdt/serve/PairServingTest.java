package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.PairDigest;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.cli.Mdt;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.TinyPipelines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt serve --model STRUCTURE --appearance APPEARANCE}, over real HTTP: the same chain as a
 * pipeline artifact of the two, under the pair's digest; mismatched or tampered stages refused with
 * exit 3 naming the stage.
 */
class PairServingTest {
  @TempDir static Path tmp;
  static Artifact structure;
  static Artifact appearance;
  static GenerationServer pair;
  static GenerationServer pipeline;

  @BeforeAll
  static void start() throws Exception {
    structure = TinyPipelines.structure(tmp.resolve("structure"), 1);
    appearance = TinyPipelines.appearance(tmp.resolve("appearance"), 2);
    pair = GenerationServer.listen(ServeOptions.loopback());
    pair.load(structure.dir(), appearance.dir());
    Artifact p = Pipelines.write(tmp.resolve("pipe"), structure.dir(), appearance.dir(), 0);
    pipeline = GenerationServer.start(p.dir(), ServeOptions.loopback());
  }

  @AfterAll
  static void stop() {
    for (GenerationServer s : new GenerationServer[] {pair, pipeline}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void thePairDigestIsFixedByBothStageDigests() {
    String s = "sha256:" + "1".repeat(64);
    String a = "sha256:" + "2".repeat(64);
    // The operator derives the same value (trainer-config's PairDigest) for a StudentDeployment.
    assertThat(PairDigest.of(s, a))
        .isEqualTo("sha256:d06075f495b206411617e0b6aee8bedd33e0c8f4a96b1695f7ae4de560882d86");
    assertThat(PairDigest.of(a, s)).isNotEqualTo(PairDigest.of(s, a));
  }

  @Test
  void modelInfoNamesThePairDigestAndBothStages() throws Exception {
    Http http = new Http(pair.baseUri());
    var info = Http.json(http.get("/v1/model"));
    String expected = PairDigest.of(structure.digest(), appearance.digest());
    assertThat(info.path("digest").asText()).isEqualTo(expected);
    assertThat(info.path("digestOf").asText()).isEqualTo("stages");
    assertThat(info.path("kind").asText()).isEqualTo("pipeline");
    assertThat(info.at("/stages/structure/digest").asText()).isEqualTo(structure.digest());
    assertThat(info.at("/stages/appearance/digest").asText()).isEqualTo(appearance.digest());
    assertThat(info.has("evaluation")).isFalse();
  }

  @Test
  void servesTheSameColouredSamplesAsThePipelineArtifact() throws Exception {
    Http fromPair = new Http(pair.baseUri());
    Http fromPipeline = new Http(pipeline.baseUri());
    for (long seed = 0; seed < 3; seed++) {
      String body = "{\"class\":\"b\",\"seed\":" + seed + ",\"steps\":2,\"format\":\"ply\"}";
      HttpResponse<byte[]> a = fromPair.generate(body);
      HttpResponse<byte[]> b = fromPipeline.generate(body);
      assertThat(a.statusCode()).isEqualTo(200);
      assertThat(Http.text(a)).isEqualTo(Http.text(b));
      assertThat(a.headers().firstValue("X-Model-Digest"))
          .contains(PairDigest.of(structure.digest(), appearance.digest()));
    }
    HttpResponse<byte[]> ply =
        fromPair.generate("{\"class\":\"b\",\"seed\":1,\"steps\":2,\"format\":\"ply\"}");
    assertThat(ply.statusCode()).isEqualTo(200);
    assertThat(Http.text(ply)).contains("property uchar red");
  }

  @Test
  void stagesOnDifferentGridsAreRefusedWithExit3NamingTheStage() throws Exception {
    ModelSpec coarse = TinyPipelines.appearanceSpec();
    coarse.resolution = 4;
    Path dir = tmp.resolve("coarse");
    TinyPipelines.appearance(dir, 2, coarse, TinyPipelines.CLASSES);
    Result r = serve(structure.dir(), dir);
    assertThat(r.code).isEqualTo(3);
    assertThat(r.err).contains("appearance stage").contains("resolution 4");

    Result swapped = serve(appearance.dir(), structure.dir());
    assertThat(swapped.code).isEqualTo(3);
    assertThat(swapped.err).contains("structure stage").contains("swapped");
  }

  @Test
  void aTamperedStageIsRefusedAtStart() throws Exception {
    Path dir = tmp.resolve("tampered");
    TinyPipelines.appearance(dir, 2);
    Path weights = dir.resolve(ModelArtifacts.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 1] ^= 1;
    Files.write(weights, bytes);
    Result r = serve(structure.dir(), dir);
    assertThat(r.code).isEqualTo(3);
    assertThat(r.err).contains("appearance stage").contains(ModelArtifacts.WEIGHTS);
  }

  private record Result(int code, String err) {}

  private static Result serve(Path model, Path appearanceDir) {
    StringWriter err = new StringWriter();
    var cl = Mdt.commandLine();
    cl.setErr(new PrintWriter(err));
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--model",
                model.toString(),
                "--appearance",
                appearanceDir.toString(),
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--device",
                "cpu"));
    int code = cl.execute(args.toArray(String[]::new));
    return new Result(code, err.toString());
  }
}
