package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the project's control-plane binaries live. They are built from the Go module proxy by
 * {@code hack/build-control-plane.sh} (the Maven build runs it before integration tests); tests
 * never fall back to a mock server or a download when they are missing.
 */
public final class ControlPlane {
  private ControlPlane() {}

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

  /** Fails with instructions unless the binaries kube-api-test needs are present. */
  public static void requireApiServerBinaries() {
    for (String b : new String[] {"etcd", "kube-apiserver", "kubectl"}) {
      Path p = kubeApiTestDir().resolve(b);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            "missing "
                + p
                + ": integration tests run against a real kube-apiserver and etcd; build them with"
                + " hack/build-control-plane.sh (./mvnw verify does this before integration tests)");
      }
    }
  }
}
