package io.distillery.mdt.probe;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What {@code mdt probe} runs.
 *
 * @param canary base URLs of the canary's serving pods ({@code http://ip:port})
 * @param stable base URLs of the stable model's pods
 * @param probes samples asked of the canary ({@value #MIN_PROBES}..{@value #MAX_PROBES}); the
 *     stable model gets twice as many
 * @param seed derives every probe's seed
 * @param classes the classes to probe, or null for every class both sides serve
 * @param timeout deadline of the whole probe
 */
public record ProbeSettings(
    List<URI> canary,
    List<URI> stable,
    int probes,
    long seed,
    List<String> classes,
    Duration timeout) {
  public static final int MIN_PROBES = 4;
  public static final int MAX_PROBES = 256;

  public ProbeSettings {
    if (canary.isEmpty() || stable.isEmpty()) {
      throw new IllegalArgumentException("both sides need at least one URL");
    }
    if (probes < MIN_PROBES || probes > MAX_PROBES) {
      throw new IllegalArgumentException(
          "--probes must be " + MIN_PROBES + ".." + MAX_PROBES + ", got " + probes);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("--timeout must be positive, got " + timeout.toSeconds());
    }
    if (classes != null && (classes.isEmpty() || classes.stream().anyMatch(String::isBlank))) {
      throw new IllegalArgumentException("--classes must name classes, got " + classes);
    }
    if (classes != null && classes.stream().distinct().count() != classes.size()) {
      throw new IllegalArgumentException("--classes names a class twice: " + classes);
    }
    canary = List.copyOf(canary);
    stable = List.copyOf(stable);
    classes = classes == null ? null : List.copyOf(classes);
  }
}
