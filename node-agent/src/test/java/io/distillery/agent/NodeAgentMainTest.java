package io.distillery.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad options end the agent before it touches the cluster, with exit 2 and the problem named. */
class NodeAgentMainTest {
  @TempDir Path dir;

  private Result run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new NodeAgentMain()).setErr(new PrintWriter(err));
    return new Result(cli.execute(args), err.toString());
  }

  private record Result(int exit, String err) {}

  @Test
  void aMissingTrainerJarIsNamedWithTheBuildStep() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\n");
    Path operator = Files.createFile(dir.resolve("quarkus-run.jar"));
    Result r =
        run(
            "--kubeconfig", kubeconfig.toString(),
            "--work-dir", dir.resolve("agent").toString(),
            "--mdt-jar", dir.resolve("mdt.jar").toString(),
            "--operator-jar", operator.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("mdt.jar").contains("-pl trainer-image");
  }

  @Test
  void aMissingKubeconfigIsNamed() {
    Result r =
        run(
            "--kubeconfig",
            dir.resolve("nope").toString(),
            "--work-dir",
            dir.toString(),
            "--mdt-jar",
            "a.jar",
            "--operator-jar",
            "b.jar");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--kubeconfig").contains("does not exist");
  }

  @Test
  void aMalformedMemoryIsNamed() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\n");
    Result r =
        run(
            "--kubeconfig", kubeconfig.toString(),
            "--work-dir", dir.toString(),
            "--mdt-jar", "a.jar",
            "--operator-jar", "b.jar",
            "--memory", "lots");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("lots");
  }
}
