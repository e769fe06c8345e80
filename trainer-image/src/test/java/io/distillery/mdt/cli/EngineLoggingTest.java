package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The console shows mdt's own output: DJL's INFO lines (engine found, thread counts) are not
 * printed, its warnings are (simplelogger.properties).
 */
class EngineLoggingTest {
  @Test
  void engineInfoLinesStayOffTheConsoleAndWarningsReachIt() {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
    StringWriter cliOut = new StringWriter();
    StringWriter cliErr = new StringWriter();
    int code;
    try {
      System.setOut(capture);
      System.setErr(capture);
      // A command that loads the engine (DJL logs INFO lines when it first does so).
      CommandLine cl = Mdt.commandLine();
      cl.setOut(new PrintWriter(cliOut, true));
      cl.setErr(new PrintWriter(cliErr, true));
      code = cl.execute("info", "--device", "cpu");
      var engine = LoggerFactory.getLogger("ai.djl.pytorch.engine.PtEngine");
      engine.info("probe info line");
      engine.warn("probe warning line");
      LoggerFactory.getLogger("ai.djl.util.Platform").error("probe error line");
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    String all = console.toString(StandardCharsets.UTF_8) + cliOut + cliErr;
    assertThat(code).isZero();
    assertThat(cliOut.toString()).contains("engine PyTorch");
    assertThat(all).doesNotContain("INFO ai.djl", "probe info line");
    assertThat(all)
        .contains("WARN ai.djl.pytorch.engine.PtEngine - probe warning line")
        .contains("ERROR ai.djl.util.Platform - probe error line");
  }
}
