package io.distillery.mdt.cli;

import ai.djl.Device;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** How an output was made, recorded next to it. */
final class Provenance {
  private Provenance() {}

  /** The full command line as typed, e.g. {@code mdt train-teacher --steps 600}. */
  static String commandLine(CommandSpec spec) {
    return "mdt " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
  }

  /** What every artifact records about its making: command line, date and device. */
  static Map<String, Object> of(CommandSpec spec, Device device) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("command", commandLine(spec));
    p.put("date", Instant.now().toString());
    if (device != null) {
      p.put("device", device.toString());
    }
    return p;
  }
}
