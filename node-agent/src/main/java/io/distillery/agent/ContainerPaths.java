package io.distillery.agent;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's view of the file system, mapped onto host directories. The node agent has no mount
 * namespace, so where a kubelet would mount a volume at {@code mountPath}, the agent rewrites every
 * occurrence of {@code mountPath} (as a whole path prefix) in the container's arguments,
 * environment and projected ConfigMap files to the host directory backing it, and what the
 * container reports (its termination message) back to the container's paths.
 */
public final class ContainerPaths {
  // Longest container path first, so /var/lib/x/inputs wins over /var/lib/x.
  private final Map<String, Path> mounts = new LinkedHashMap<>();

  public ContainerPaths(Map<String, Path> mountsByContainerPath) {
    mountsByContainerPath.entrySet().stream()
        .sorted(
            Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
        .forEach(e -> mounts.put(strip(e.getKey()), e.getValue()));
  }

  /** The host path for a container path, or the path unchanged where nothing is mounted. */
  public String hostPath(String containerPath) {
    return translate(containerPath);
  }

  /** {@code text} with every mounted container path replaced by its host directory. */
  public String translate(String text) {
    Map<String, String> toHost = new LinkedHashMap<>();
    mounts.forEach((container, host) -> toHost.put(container, host.toString()));
    return replaceAll(text, toHost);
  }

  /** The reverse: host directories in {@code text} back to the container paths they back. */
  public String toContainerView(String text) {
    Map<String, String> toContainer = new LinkedHashMap<>();
    mounts.entrySet().stream()
        .sorted(
            Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getValue().toString().length())
                .reversed())
        .forEach(e -> toContainer.put(e.getValue().toString(), e.getKey()));
    return replaceAll(text, toContainer);
  }

  /**
   * One pass over {@code text}, so a replacement is never rewritten again (a host directory under
   * /tmp must not be taken for the container's /tmp). The map's order is the alternation's order:
   * longest first, so the most specific path wins.
   */
  private static String replaceAll(String text, Map<String, String> replacements) {
    if (replacements.isEmpty()) {
      return text;
    }
    String alternation =
        replacements.keySet().stream()
            .map(Pattern::quote)
            .reduce((a, b) -> a + "|" + b)
            .orElseThrow();
    // A whole path prefix only: no path character before it, / or a non-path one after.
    Pattern p = Pattern.compile("(?<![\\w./-])(" + alternation + ")(?=/|$|[^\\w.-])");
    return p.matcher(text).replaceAll(m -> Matcher.quoteReplacement(replacements.get(m.group(1))));
  }

  public List<String> translate(List<String> texts) {
    return texts.stream().map(this::translate).toList();
  }

  private static String strip(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
