package io.distillery.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.CrdPostProcessing;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs checked into crds/ must be what the Java types generate (docs/design.md, conventions).
 * Regenerate with {@code ./mvnw -pl operator test -Dtest=CrdDriftTest
 * -Ddistillery.crds.update=true}. {@code CrdBuildOutputIT} checks the copies the Quarkus build
 * writes to target/kubernetes.
 */
class CrdDriftTest {
  static final String FILE = "distillationjobs.distillery.io-v1.yml";
  static final String STUDENT_FILE = "studentdeployments.distillery.io-v1.yml";
  static final List<String> FILES = List.of(FILE, STUDENT_FILE);
  static final Path CRDS = Path.of("..", "crds");
  static final Path CHECKED_IN = CRDS.resolve(FILE);

  /** {@code kubectl explain <kind>} and {@code <kind>.spec} print these descriptions. */
  @Test
  void bothKindsAndTheirSpecAreDescribed() throws IOException {
    for (String file : FILES) {
      var crd =
          io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
              Files.readString(CRDS.resolve(file)),
              io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
      var schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
      assertThat(schema.getDescription()).as("%s: the kind's description", file).isNotBlank();
      assertThat(schema.getProperties().get("spec").getDescription())
          .as("%s: spec's description", file)
          .isNotBlank();
      assertThat(schema.getProperties().get("status").getDescription())
          .as("%s: status's description", file)
          .isNotBlank();
    }
  }

  @Test
  void checkedInCrdsMatchTheJavaTypes(@TempDir Path tmp) throws IOException {
    new CRDGenerator()
        .customResourceClasses(DistillationJob.class, StudentDeployment.class)
        .forCRDVersions("v1")
        .withPostProcessor(new CrdPostProcessing())
        .inOutputDir(tmp.toFile())
        .generate();
    for (String file : FILES) {
      String generated = Files.readString(tmp.resolve(file));
      Path checkedIn = CRDS.resolve(file);
      if (Boolean.getBoolean("distillery.crds.update")) {
        Files.createDirectories(CRDS);
        Files.writeString(checkedIn, generated);
      }
      assertThat(checkedIn).as("crds/%s exists", file).exists();
      assertThat(Files.readString(checkedIn))
          .as(
              "crds/%s drifted from the Java types; regenerate with -Ddistillery.crds.update=true",
              file)
          .isEqualTo(generated);
    }
  }
}
