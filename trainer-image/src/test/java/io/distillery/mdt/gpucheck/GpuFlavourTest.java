package io.distillery.mdt.gpucheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CUDA image and the GPU check expect the same libtorch: the pom's version, the cu128 flavour,
 * and a JNI library for it in the pytorch-jni jar the build uses.
 */
class GpuFlavourTest {
  static final Path REPO =
      Path.of(System.getProperty("distillery.repo", "..")).toAbsolutePath().normalize();

  private static String first(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }

  @Test
  void theContainerfileTheCheckAndThePomAgree() throws Exception {
    String pom = Files.readString(REPO.resolve("pom.xml"));
    String torch = first(pom, "<pytorch-native.version>([^<]+)</pytorch-native.version>");
    String jni = first(pom, "<pytorch-jni.version>([^<]+)</pytorch-jni.version>");
    String containerfile = Files.readString(REPO.resolve("trainer-image/Containerfile"));
    String check = Files.readString(REPO.resolve("hack/gpu-check"));

    assertThat(first(containerfile, "PYTORCH_FLAVOR=(cu\\d+)")).isEqualTo("cu128");
    assertThat(first(containerfile, "PYTORCH_FLAVOR=cu\\d+ PYTORCH_VERSION=(\\S+)"))
        .isEqualTo(torch);
    assertThat(first(containerfile, "FROM docker.io/nvidia/cuda:(\\d+\\.\\d+)")).isEqualTo("12.8");
    assertThat(first(check, "TORCH_FLAVOR=(cu\\d+)")).isEqualTo("cu128");
    assertThat(first(check, "TORCH_CUDA=(\\S+)\"")).isEqualTo("12.8");
    assertThat(jni).startsWith(torch + "-");
    // The JNI for that flavour ships in the jar: offline use needs no download.
    assertThat(getClass().getResource("/jnilib/linux-x86_64/cu128/libdjl_torch.so")).isNotNull();
    assertThat(getClass().getResource("/jnilib/pytorch.properties")).isNotNull();
  }
}
