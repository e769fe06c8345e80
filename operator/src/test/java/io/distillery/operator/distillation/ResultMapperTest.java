package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.testing.fixtures.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The trainer's result JSON onto status.result, and the QUALITY column made from it. */
class ResultMapperTest {
  DistillationJob dj = Fixtures.distillationJob("dj");

  @Test
  void pairedFiguresAndFeaturesAreReported() {
    String json =
        """
        {"status":"succeeded","exitCode":0,"artifact":"/var/lib/distillery/output/dj/student",
         "features":"teacher",
         "metrics":{"1":{"fd":3.1,"fdToTeacher":0.4,"pairedError":0.12,"pairedMse":0.01,
                         "pairedCosine":0.97,"pairedIoU":0.91}},
         "gate":{"passed":true,"maxPairedError":0.2,"minPairedIoU":0.8,"pairedError":0.12,
                 "pairedIoU":0.91}}""";
    ResultStatus s = ResultMapper.from(json, dj);
    assertThat(s.features).isEqualTo("teacher");
    ResultStatus.StepMetrics m = s.metrics.get("1");
    assertThat(m.fdToTeacher).isEqualTo(0.4);
    assertThat(m.pairedError).isEqualTo(0.12);
    assertThat(m.pairedMse).isEqualTo(0.01);
    assertThat(m.pairedCosine).isEqualTo(0.97);
    assertThat(m.pairedIoU).isEqualTo(0.91);
    assertThat(s.gate.maxPairedError).isEqualTo(0.2);
    assertThat(s.gate.minPairedIoU).isEqualTo(0.8);
    assertThat(s.gate.pairedError).isEqualTo(0.12);
    assertThat(s.gate.pairedIoU).isEqualTo(0.91);
    assertThat(s.summary.quality).isEqualTo("err 0.12 iou 0.91 pass");
  }

  @Test
  void theTeacherAndDatasetDigestsAndTheDatasetsClaimUriAreReported() {
    String json =
        """
        {"status":"succeeded","exitCode":0,"artifact":"/var/lib/distillery/output/dj/student",
         "teacherDigest":"sha256:aa","datasetDigest":"sha256:bb",
         "datasetUri":"/var/lib/distillery/inputs/shapes/train"}""";
    ResultStatus s = ResultMapper.from(json, dj);
    assertThat(s.teacherDigest).isEqualTo("sha256:aa");
    assertThat(s.datasetDigest).isEqualTo("sha256:bb");
    assertThat(s.datasetUri).isEqualTo("pvc://shapes/train");

    ResultStatus builtin =
        ResultMapper.from(
            """
            {"status":"succeeded","exitCode":0,"datasetUri":"builtin:shapes"}""",
            dj);
    assertThat(builtin.datasetUri).isEqualTo("builtin:shapes");
    assertThat(builtin.teacherDigest).isNull();
  }

  @Test
  void theAppearanceErrorOfEachRowIsReported() {
    String json =
        """
        {"status":"succeeded","exitCode":0,"artifact":"/var/lib/distillery/output/dj/student",
         "metrics":{"teacher":{"appearanceError":0.004,"nfe":25},
                    "1":{"appearanceError":0.031,"pairedError":0.18,"nfe":1},
                    "2":{"appearanceError":"NaN","pairedError":0.11,"nfe":2}},
         "gate":{"passed":true,"maxPairedError":0.3,"pairedError":0.18}}""";
    ResultStatus s = ResultMapper.from(json, dj);
    assertThat(s.metrics.get("teacher").appearanceError).isEqualTo(0.004);
    assertThat(s.metrics.get("1").appearanceError).isEqualTo(0.031);
    // Not finite: left out, as every other figure.
    assertThat(s.metrics.get("2").appearanceError).isNull();
    assertThat(s.metrics.get("1").fd).isNull();
    assertThat(s.summary.quality).isEqualTo("err 0.18 pass");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          fd gate only                  | "passed":true,"maxFdRatio":1.2,"fdRatio":1.081,"pairedError":0.3                        | fd 1.08x pass
          paired error gate only        | "passed":false,"maxPairedError":0.1,"pairedError":0.123,"fdRatio":1.5                   | err 0.12 fail
          fd and IoU gates              | "passed":true,"maxFdRatio":1.2,"fdRatio":1.1,"minPairedIoU":0.8,"pairedIoU":0.912       | fd 1.10x iou 0.91 pass
          all three gates               | "passed":false,"maxFdRatio":1.2,"fdRatio":1.1,"maxPairedError":0.2,"pairedError":0.25,"minPairedIoU":0.8,"pairedIoU":0.9 | fd 1.10x err 0.25 iou 0.90 fail
          IoU gate but no IoU measured  | "passed":false,"minPairedIoU":0.8                                                       | iou - fail
          no quality gate, fd measured  | "passed":true,"minSpeedup":10,"fdRatio":1.081,"pairedError":0.3                         | fd 1.08x pass
          no quality gate, paired error | "passed":true,"pairedError":0.123                                                       | err 0.12 pass
          no quality gate, no figures   | "passed":true,"minSpeedup":10,"speedup":20                                              | gate pass
          """)
  void qualityShowsTheFiguresOfTheGatesSetThenTheVerdict(String why, String gate, String quality) {
    String json = "{\"status\":\"succeeded\",\"exitCode\":0,\"gate\":{" + gate + "}}";
    assertThat(ResultMapper.from(json, dj).summary.quality).as(why).isEqualTo(quality);
  }
}
