package io.distillery.mdt.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code mdt} in-process, as a person would on the command line, capturing both streams. */
final class MdtCli {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /**
   * The exit code of {@code mdt args...}; the output accumulates in {@link #out} and {@link #err}.
   */
  int run(String... args) {
    CommandLine cl = Mdt.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
