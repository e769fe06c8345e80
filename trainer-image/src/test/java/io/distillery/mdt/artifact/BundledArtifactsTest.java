package io.distillery.mdt.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledArtifactsTest {
  @TempDir Path tmp;

  @Test
  void opensAnArtifactPackedInAJarAndDetectsTampering() throws IOException {
    Path dir = tmp.resolve("toy");
    String digest;
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      Files.writeString(w.path("weights.params"), "0123456789");
      w.modelJson(new ObjectMapper().createObjectNode().put("kind", "toy"));
      digest = w.commit().digest();
    }
    Path jar = tmp.resolve("models.jar");
    writeJar(jar, dir, "weights.params", "0123456789");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Artifact a = BundledArtifacts.open("toy", loader);
      assertThat(a.digest()).isEqualTo(digest);
      assertThat(Files.readString(a.file("weights.params"))).isEqualTo("0123456789");
      assertThatThrownBy(() -> BundledArtifacts.open("absent", loader))
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("no bundled artifact 'absent'");
    }
    Path tampered = tmp.resolve("tampered.jar");
    writeJar(tampered, dir, "weights.params", "0123456780");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {tampered.toUri().toURL()}, null)) {
      assertThatThrownBy(() -> BundledArtifacts.open("toy", loader))
          .isInstanceOf(CorruptArtifactException.class)
          .hasMessageContaining("weights.params is corrupt");
    }
  }

  private static void writeJar(Path jar, Path dir, String replaced, String content)
      throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      for (String name : new String[] {"manifest.json", "model.json", "weights.params"}) {
        out.putNextEntry(new JarEntry("models/toy/" + name));
        out.write(
            name.equals(replaced) ? content.getBytes() : Files.readAllBytes(dir.resolve(name)));
        out.closeEntry();
      }
    }
  }
}
