package io.distillery.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code package}: the CRD the Quarkus Operator SDK generated into target/kubernetes is
 * the checked-in one (STYLE.md 12).
 */
class CrdBuildOutputIT {
  @Test
  void quarkusBuildGeneratesTheCheckedInCrd() throws IOException {
    Path built = Path.of("target", "kubernetes", CrdDriftTest.FILE);
    assertThat(built).as("the Quarkus build writes %s", built).exists();
    assertThat(Files.readString(built))
        .as("target/kubernetes differs from crds/; regenerate crds/ (see CrdDriftTest)")
        .isEqualTo(Files.readString(CrdDriftTest.CHECKED_IN));
  }
}
