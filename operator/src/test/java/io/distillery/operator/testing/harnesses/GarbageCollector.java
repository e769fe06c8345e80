package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-controller-manager running only the garbage collector and the PVC-protection
 * controller, so deletion through owner references can be observed instead of assumed. The binary
 * comes from hack/build-control-plane.sh (its {@code api} group).
 */
public final class GarbageCollector implements AutoCloseable {
  private final Process process;
  private final Path kubeconfig;

  private GarbageCollector(Process process, Path kubeconfig) {
    this.process = process;
    this.kubeconfig = kubeconfig;
  }

  public static GarbageCollector start(TestApiServer api) {
    try {
      Path binary = Binaries.controlPlaneBinary("api", "kube-controller-manager");
      Path kubeconfig = Files.createTempFile("gc-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, api.kubeConfigYaml());
      Process p =
          new ProcessBuilder(
                  List.of(
                      binary.toString(),
                      "--kubeconfig=" + kubeconfig,
                      "--controllers=garbagecollector,pvc-protection",
                      "--leader-elect=false",
                      "--secure-port=0",
                      "--use-service-account-credentials=false"))
              .redirectErrorStream(true)
              .redirectOutput(Files.createTempFile("kube-controller-manager", ".log").toFile())
              .start();
      return new GarbageCollector(p, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(kubeconfig);
  }
}
