package io.distillery.mdt.gpucheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hack/gpu-check run} on a machine that cannot run it says exactly what does not fit, in its
 * report and on stderr, with exit 3, and never starts mdt. The GPU and the PyTorch it sees are
 * stood in for by small scripts ({@code NVIDIA_SMI}, {@code PYTHON}).
 */
class GpuCheckScriptTest {
  static final Path SCRIPT =
      Path.of(System.getProperty("distillery.repo", ".."), "hack", "gpu-check")
          .toAbsolutePath()
          .normalize();

  record Result(int code, String stderr, String report) {}

  private static Result run(Path out, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "run", out.toString());
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), err, Files.readString(out.resolve("report.md")));
  }

  private static Path executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void withoutNvidiaSmiItExits3SayingThereIsNoNvidiaGpu(@TempDir Path dir) throws Exception {
    Result r = run(dir.resolve("out"), Map.of("NVIDIA_SMI", dir.resolve("nvidia-smi").toString()));
    assertThat(r.code()).as(r.stderr()).isEqualTo(3);
    String line = "no NVIDIA GPU: " + dir.resolve("nvidia-smi") + " not found on PATH";
    assertThat(r.stderr()).contains(line);
    assertThat(r.report()).contains("## Incompatible").contains(line);
  }

  @Test
  void anOldDriverAndAMismatchedPyTorchAreEachNamed(@TempDir Path dir) throws Exception {
    Path smi =
        executable(
            dir.resolve("nvidia-smi"),
            """
            #!/bin/sh
            case "$*" in
              *--query-gpu*) echo "0, NVIDIA H200, 470.82.01, 143771 MiB" ;;
              *) echo "| NVIDIA-SMI 470.82.01    Driver Version: 470.82.01    CUDA Version: 11.4 |" ;;
            esac
            """);
    // python3 that finds torch 2.5.1 built for CUDA 12.1 with the old ABI; anything else goes to
    // the real python3, which the script uses to read the probe's JSON.
    Path python =
        executable(
            dir.resolve("python"),
            """
            #!/bin/sh
            if [ "$1" = "-" ]; then
              cat >/dev/null
              echo '{"version": "2.5.1+cu121", "cuda": "12.1", "cxx11abi": false,\
             "lib": "/opt/torch/lib", "libtorch": true, "cuda_available": false, "devices": 0,\
             "site": "/opt"}'
            else
              exec python3 "$@"
            fi
            """);
    Result r =
        run(dir.resolve("out"), Map.of("NVIDIA_SMI", smi.toString(), "PYTHON", python.toString()));
    assertThat(r.code()).as(r.stderr()).isEqualTo(3);
    assertThat(r.report())
        .contains("NVIDIA driver 470.82.01, CUDA 11.4")
        .contains("NVIDIA driver 470.82.01 (CUDA 11.4) is too old for libtorch 2.7.1+cu128")
        .contains("PyTorch 2.5.1+cu121: DJL 0.36.0's JNI (pytorch-jni 2.7.1-0.36.0) needs")
        .contains("is built for CUDA 12.1: the JNI flavour is cu128 (CUDA 12.8)")
        .contains("uses the pre-C++11 ABI")
        .contains("sees no CUDA device")
        .doesNotContain("## mdt info");
  }
}
