package io.distillery.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.PrinterColumnOrder;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD checked into crds/ must be what the Java types generate (STYLE.md 12). Regenerate with
 * {@code ./mvnw -pl operator test -Dtest=CrdDriftTest -Ddistillery.crds.update=true}. {@code
 * CrdBuildOutputIT} checks the copy the Quarkus build writes to target/kubernetes.
 */
class CrdDriftTest {
  static final String FILE = "distillationjobs.distillery.io-v1.yml";
  static final Path CHECKED_IN = Path.of("..", "crds", FILE);

  @Test
  void checkedInCrdMatchesTheJavaTypes(@TempDir Path tmp) throws IOException {
    new CRDGenerator()
        .customResourceClasses(DistillationJob.class)
        .forCRDVersions("v1")
        .withPostProcessor(new PrinterColumnOrder())
        .inOutputDir(tmp.toFile())
        .generate();
    String generated = Files.readString(tmp.resolve(FILE));
    if (Boolean.getBoolean("distillery.crds.update")) {
      Files.createDirectories(CHECKED_IN.getParent());
      Files.writeString(CHECKED_IN, generated);
    }
    assertThat(CHECKED_IN).as("crds/%s exists", FILE).exists();
    assertThat(Files.readString(CHECKED_IN))
        .as(
            "crds/%s drifted from the Java types; regenerate with -Ddistillery.crds.update=true",
            FILE)
        .isEqualTo(generated);
  }
}
