package io.distillery.mdt.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine a measurement ran on. */
public final class Machine {
  private Machine() {}

  public static String describe(Device device) {
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse(cpu);
    } catch (IOException e) {
      // not Linux: keep the generic name
    }
    long memGiB = 0;
    try {
      memGiB =
          Files.readAllLines(Path.of("/proc/meminfo")).stream()
                  .filter(l -> l.startsWith("MemTotal"))
                  .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                  .findFirst()
                  .orElse(0)
              / (1024 * 1024);
    } catch (IOException e) {
      // not Linux
    }
    Engine engine = Engine.getInstance();
    return String.format(
        "%d CPU cores (%s), %d GiB, device %s, %s %s, %s threads",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memGiB,
        device,
        engine.getEngineName(),
        engine.getVersion(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"));
  }
}
