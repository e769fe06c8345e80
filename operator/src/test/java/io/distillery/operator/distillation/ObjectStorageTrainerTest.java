package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DatasetSpec;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.S3Spec;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A DistillationJob reading and writing object storage: its trainer pod and trainer config. */
class ObjectStorageTrainerTest {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults();

  static DistillationJob s3Job() {
    DistillationJob dj = Fixtures.distillationJob("s3job");
    dj.getSpec().teacher.uri = "s3://teachers/shapes-teacher";
    dj.getSpec().dataset = new DatasetSpec();
    dj.getSpec().dataset.uri = "s3://datasets/shapes/train";
    dj.getSpec().output.claimName = null;
    dj.getSpec().output.uri = "s3://distillery-out/runs/";
    dj.getSpec().s3 = new S3Spec();
    dj.getSpec().s3.credentialsSecret = "s3-creds";
    return dj;
  }

  @Test
  void theTrainerConfigMirrorsScratchToTheJobsPrefixAndReadsS3InputsAsThey() {
    DistillationJob dj = s3Job();
    var c = TrainerConfigRenderer.render(dj);
    assertThat(c.output.dir).isEqualTo("/var/lib/distillery/output/s3job");
    assertThat(c.output.uri).isEqualTo("s3://distillery-out/runs/s3job");
    assertThat(c.teacher.uri).isEqualTo("s3://teachers/shapes-teacher");
    assertThat(c.dataset.uri).isEqualTo("s3://datasets/shapes/train");
    dj.getSpec().output.path = "team-a/run-7";
    assertThat(TrainerConfigRenderer.render(dj).output.uri)
        .isEqualTo("s3://distillery-out/runs/team-a/run-7");
    assertThat(TrainerConfigRenderer.renderYaml(dj)).contains("uri: \"s3://distillery-out/runs/");
    assertThat(SpecChecks.problems(dj)).isEmpty();
  }

  @Test
  void aClaimOutputRendersNoOutputUri() {
    DistillationJob dj = Fixtures.distillationJob("claim");
    assertThat(TrainerConfigRenderer.render(dj).output.uri).isNull();
    assertThat(TrainerConfigs.toYaml(TrainerConfigRenderer.render(dj)))
        .doesNotContain("s3://")
        .doesNotContain("uri: null");
  }

  @Test
  void theOutputIsAScratchEmptyDirAndNoClaimIsMounted() {
    PodSpec pod = pod(s3Job());
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("output"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getEmptyDir()).isNotNull();
              assertThat(v.getPersistentVolumeClaim()).isNull();
            });
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).isNull());
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(DistillationNames.OUTPUT_MOUNT));
    assertThat(DistillationNames.outputClaim(s3Job())).isNull();
  }

  @Test
  void credentialsComeFromTheSecretByReferenceOnly() {
    Container c = pod(s3Job()).getContainers().get(0);
    Map<String, EnvVar> env =
        c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    Map<String, String> keys =
        Map.of(
            "AWS_ACCESS_KEY_ID", "accessKeyId",
            "AWS_SECRET_ACCESS_KEY", "secretAccessKey",
            "AWS_ENDPOINT_URL_S3", "endpoint",
            "AWS_REGION", "region",
            "DISTILLERY_S3_PATH_STYLE", "pathStyle");
    keys.forEach(
        (name, key) -> {
          EnvVar e = env.get(name);
          assertThat(e).as(name).isNotNull();
          assertThat(e.getValue()).as(name).isNull();
          var ref = e.getValueFrom().getSecretKeyRef();
          assertThat(ref.getName()).isEqualTo("s3-creds");
          assertThat(ref.getKey()).isEqualTo(key);
          boolean required = List.of("accessKeyId", "secretAccessKey").contains(key);
          // Required keys are not optional: a missing one stops the pod with a clear error.
          assertThat(ref.getOptional()).as(name).isEqualTo(required ? null : Boolean.TRUE);
        });
  }

  @Test
  void withoutASecretNoCredentialEnvIsSetAndTheDefaultChainApplies() {
    DistillationJob dj = s3Job();
    dj.getSpec().s3 = null;
    assertThat(pod(dj).getContainers().get(0).getEnv())
        .extracting(EnvVar::getName)
        .containsExactly("DISTILLERY_IMAGE");
  }

  @Test
  void theResultNamesTheS3ArtifactTheTrainerReported() {
    String message =
        """
        {"status":"succeeded","exitCode":0,
         "artifact":"s3://distillery-out/runs/s3job/student-mdt",
         "digest":"sha256:d1","datasetUri":"s3://datasets/shapes/train"}""";
    var result = ResultMapper.from(message, s3Job());
    assertThat(result.artifact).isEqualTo("s3://distillery-out/runs/s3job/student-mdt");
    assertThat(result.datasetUri).isEqualTo("s3://datasets/shapes/train");
    assertThat(ResultMapper.describe(result))
        .startsWith("student written to s3://distillery-out/runs/s3job/student-mdt");
  }

  private static PodSpec pod(DistillationJob dj) {
    Job job = TrainerJobDependent.desired(dj, SETTINGS, null);
    return job.getSpec().getTemplate().getSpec();
  }
}
