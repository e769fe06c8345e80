package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the project's control-plane binaries live. They are built from the Go module proxy by
 * {@code hack/build-control-plane.sh}: {@code ./mvnw verify} starts that build in the background at
 * its beginning, and a test asks only for the groups it uses ({@link #ensure}), waiting for them
 * alone; tests never fall back to a mock server or a download when a build fails.
 */
public final class ControlPlane {
  /** A cold build of a group on two busy cores takes minutes; the script's own lock orders it. */
  private static final int BUILD_TIMEOUT_SECONDS = 3600;

  private static final Set<String> READY = ConcurrentHashMap.newKeySet();

  private ControlPlane() {}

  /**
   * Builds what is missing of a {@code hack/build-control-plane.sh} group ({@code api}, {@code
   * helm}, {@code kueue}, {@code cluster}, ...), or waits while another process builds it; once per
   * test JVM. Fails naming the script's error.
   */
  public static void ensure(String group) {
    if (READY.contains(group)) {
      return;
    }
    synchronized (READY) {
      if (READY.contains(group)) {
        return;
      }
      Binaries.run(
              List.of(repo().resolve("hack/build-control-plane.sh").toString(), group),
              Map.of(),
              BUILD_TIMEOUT_SECONDS)
          .requireSuccess();
      READY.add(group);
    }
  }

  /** The repository root (set by the build; falls back to the working directory's parent). */
  public static Path repo() {
    String repo = System.getProperty("distillery.repo");
    Path p = repo != null ? Path.of(repo) : Path.of("").toAbsolutePath().getParent();
    return p.toAbsolutePath().normalize();
  }

  /** The pinned Kubernetes version, e.g. {@code v1.34.4}. */
  public static String kubeVersion() {
    Properties env = new Properties();
    Path file = repo().resolve("hack/control-plane-versions.env");
    try (var in = Files.newInputStream(file)) {
      env.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
    return env.getProperty("KUBE_VERSION");
  }

  /** Directory where Fabric8 kube-api-test finds etcd, kube-apiserver and kubectl. */
  public static Path kubeApiTestDir() {
    return Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s")
        .resolve(kubeVersion().substring(1) + "-linux-amd64");
  }

  /** Builds (or waits for) the binaries kube-api-test needs and fails unless they are present. */
  public static void requireApiServerBinaries() {
    ensure("api");
    for (String b : new String[] {"etcd", "kube-apiserver", "kubectl"}) {
      Path p = kubeApiTestDir().resolve(b);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            "missing "
                + p
                + ": integration tests run against a real kube-apiserver and etcd, which"
                + " hack/build-control-plane.sh api builds");
      }
    }
  }
}
