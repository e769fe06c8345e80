package io.distillery.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code package}: the CRDs the Quarkus Operator SDK generated into target/kubernetes
 * are the checked-in ones (docs/design.md, conventions).
 */
class CrdBuildOutputIT {
  @Test
  void quarkusBuildGeneratesTheCheckedInCrds() throws IOException {
    for (String file : CrdDriftTest.FILES) {
      Path built = Path.of("target", "kubernetes", file);
      assertThat(built).as("the Quarkus build writes %s", built).exists();
      assertThat(Files.readString(built))
          .as("target/kubernetes/%s differs from crds/; regenerate crds/ (see CrdDriftTest)", file)
          .isEqualTo(Files.readString(CrdDriftTest.CRDS.resolve(file)));
    }
  }
}
