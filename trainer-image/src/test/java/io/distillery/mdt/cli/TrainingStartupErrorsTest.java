package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.ExitCodes;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training command that cannot start because of its configuration says so in one line, naming the
 * option, with exit 2 (as {@code mdt serve} does), never a stack trace.
 */
class TrainingStartupErrorsTest {
  private final MdtCli cli = new MdtCli();

  private void assertOneLineConfigError(int code) {
    assertThat(code).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(cli.err.toString()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(cli.err.toString().strip().lines()).hasSize(1);
  }

  @Test
  void aBusyProgressPortIsAConfigErrorNamingThePortAndTheOption(@TempDir Path dir)
      throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("0.0.0.0", 0));
      String port = Integer.toString(busy.getLocalPort());
      List<String> args = MdtTest.tinyTeacher(dir.resolve("out"));
      args.set(args.indexOf("--progress-port") + 1, port);
      assertOneLineConfigError(cli.run(args.toArray(String[]::new)));
      assertThat(cli.err.toString())
          .contains("port " + port)
          .contains("--progress-port")
          .contains("progressPort");
    }
  }

  @Test
  void aConfigFileOfRandomBytesIsNamedAsNotUtf8YamlOrJson(@TempDir Path dir) throws Exception {
    byte[] noise = new byte[256];
    new Random(1).nextBytes(noise);
    noise[0] = (byte) 0xC3; // a lead byte followed by no continuation byte: never valid UTF-8
    noise[1] = (byte) 0x28;
    Path file = Files.write(dir.resolve("config.yaml"), noise);
    List<String> args = MdtTest.tinyTeacher(dir.resolve("out"));
    args.addAll(List.of("--config", file.toString()));
    assertOneLineConfigError(cli.run(args.toArray(String[]::new)));
    assertThat(cli.err.toString())
        .contains(file.toString())
        .contains("not a UTF-8 YAML/JSON file")
        .doesNotContain("Input length");
  }
}
