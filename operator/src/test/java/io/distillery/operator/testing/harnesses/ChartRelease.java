package io.distillery.operator.testing.harnesses;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The chart's release {@code distillery} in {@code distillery-system}, through the real helm. */
public final class ChartRelease {
  public static final String NAME = "distillery";
  public static final String NAMESPACE = "distillery-system";

  private ChartRelease() {}

  /** {@code helm install}, waiting for the operator Deployment; {@code extra} are more flags. */
  public static Binaries.Result install(Path kubeconfig, String... extra) {
    return helm(
        kubeconfig, List.of("install", "--create-namespace", "--wait", "--timeout", "90s"), extra);
  }

  /** {@code helm upgrade --reuse-values}; {@code extra} are more flags, e.g. {@code --set}. */
  public static Binaries.Result upgrade(Path kubeconfig, String... extra) {
    return helm(kubeconfig, List.of("upgrade", "--reuse-values"), extra);
  }

  private static Binaries.Result helm(Path kubeconfig, List<String> verb, String... extra) {
    List<String> args = new ArrayList<>(List.of(verb.get(0), NAME, Binaries.chart().toString()));
    args.addAll(List.of("--namespace", NAMESPACE));
    args.addAll(verb.subList(1, verb.size()));
    args.addAll(List.of(extra));
    return Binaries.helm(kubeconfig, args.toArray(String[]::new));
  }
}
