package io.distillery.mdt.cli;

import picocli.CommandLine.Model.CommandSpec;

/** How an output was made, recorded next to it. */
final class Provenance {
  private Provenance() {}

  /** The full command line as typed, e.g. {@code mdt train-teacher --steps 600}. */
  static String commandLine(CommandSpec spec) {
    return "mdt " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
  }
}
