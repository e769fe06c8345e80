package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.TrainerResult;
import io.distillery.mdt.data.DatasetIdentity;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineageTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);
  private static final DatasetIdentity DATA =
      new DatasetIdentity("/data/shards", "sha256:" + "b".repeat(64), DatasetIdentity.LISTING);

  @Test
  void theResultCarriesTheTeacherAndDatasetDigestsAndTheDatasetUri() {
    TrainerResult r = result(100);
    Lineage.stamp(r, DIGEST, DATA);
    assertThat(r.teacherDigest).isEqualTo(DIGEST);
    assertThat(r.datasetDigest).isEqualTo(DATA.digest());
    assertThat(r.datasetUri).isEqualTo("/data/shards");
  }

  @Test
  void whatWouldNotFitTheTerminationMessageIsLeftOutRatherThanFailingTheRun() {
    TrainerResult nearlyFull = result(TrainerResult.MAX_BYTES - 190);
    Lineage.stamp(nearlyFull, DIGEST, DATA);
    assertThat(nearlyFull.datasetUri).isNull();
    assertThat(nearlyFull.teacherDigest).isEqualTo(DIGEST);
    assertThat(nearlyFull.toJson().getBytes(StandardCharsets.UTF_8))
        .hasSizeLessThanOrEqualTo(TrainerResult.MAX_BYTES);

    TrainerResult full = result(TrainerResult.MAX_BYTES - 100);
    Lineage.stamp(full, DIGEST, DATA);
    assertThat(full.teacherDigest).isNull();
    assertThat(full.datasetDigest).isNull();
    full.toJson();

    TrainerResult longUri = result(100);
    Lineage.stamp(longUri, DIGEST, new DatasetIdentity("/" + "d".repeat(300), DIGEST, "x"));
    assertThat(longUri.datasetUri).isNull();
    assertThat(longUri.datasetDigest).isEqualTo(DIGEST);
  }

  /** A result whose JSON is about {@code bytes} long. */
  private static TrainerResult result(int bytes) {
    TrainerResult r = new TrainerResult();
    r.status = "succeeded";
    r.message = "";
    r.message = "m".repeat(Math.max(0, bytes - r.toJson().length()));
    return r;
  }
}
