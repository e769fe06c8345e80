package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.S3Spec;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Serving a model from object storage: the fetch init containers and what their failures say. */
class ObjectStorageServingTest {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults();
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  static final String A = Fixtures.digest('a');
  static final String B = Fixtures.digest('b');
  static final String URI = "s3://models/shapes/student-mdt";

  static StudentDeployment s3Deployment() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", A);
    sd.getSpec().source.modelUri = URI;
    sd.getSpec().s3 = new S3Spec();
    sd.getSpec().s3.credentialsSecret = "s3-creds";
    return sd;
  }

  @Test
  void anS3ModelIsFetchedByAnInitContainerIntoAnEmptyDirServedReadOnly() {
    StudentDeployment sd = s3Deployment();
    PodSpec pod = pod(sd, new ServedModel(URI, A, null, null));

    Container fetch = pod.getInitContainers().get(0);
    assertThat(pod.getInitContainers()).hasSize(1);
    assertThat(fetch.getName()).isEqualTo("fetch");
    assertThat(fetch.getImage()).isEqualTo(pod.getContainers().get(0).getImage());
    assertThat(fetch.getArgs())
        .containsExactly(
            "fetch",
            "--uri",
            URI,
            "--digest",
            A,
            "--to",
            "/models/structure",
            "--termination-message-path",
            "/dev/termination-log");
    assertThat(fetch.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(fetch.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(fetch.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(fetch.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(fetch.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/models");
              assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            });
    assertSecretEnv(fetch);

    Container serve = pod.getContainers().get(0);
    assertThat(serve.getArgs()).containsSubsequence("serve", "--model", "/models/structure");
    assertThat(serve.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("models");
              assertThat(m.getMountPath()).isEqualTo("/models");
              assertThat(m.getReadOnly()).isTrue();
            });
    // The serving container never sees the credentials.
    assertThat(serve.getEnv()).extracting(EnvVar::getName).containsExactly("TMPDIR");
    assertThat(pod.getVolumes())
        .allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).isNull())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("models");
              assertThat(v.getEmptyDir()).isNotNull();
            });
  }

  @Test
  void aClaimModelKeepsItsPodAndConfigHashExactlyAsBefore() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", A);
    Deployment d =
        ServingDeployments.stable(
            sd, new ServedModel("pvc://artifacts/shapes/student", A, null, null), SETTINGS);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH))
        .isEqualTo(ServingDeployments.hash(pod.getContainers().get(0).toString()));
  }

  @Test
  void withoutACredentialsSecretTheFetchUsesTheDefaultChain() {
    StudentDeployment sd = s3Deployment();
    sd.getSpec().s3 = null;
    Container fetch = pod(sd, new ServedModel(URI, A, null, null)).getInitContainers().get(0);
    assertThat(fetch.getEnv()).extracting(EnvVar::getName).containsExactly("TMPDIR");
  }

  @Test
  void eachStageOfAPairComesFromItsOwnPlace() {
    StudentDeployment sd = s3Deployment();
    // Structure in object storage, appearance on a claim.
    ServedModel mixed =
        ServedModel.pair(
            new ServedModel.Stage(URI, A, null),
            new ServedModel.Stage("pvc://colours/appearance", B, null),
            null);
    PodSpec pod = pod(sd, mixed);
    assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("fetch");
    assertThat(pod.getInitContainers().get(0).getArgs()).contains(A).doesNotContain(B);
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSubsequence(
            "--model",
            "/models/structure",
            "--appearance",
            "/var/lib/distillery/appearance/appearance");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .extracting(v -> v.getPersistentVolumeClaim().getClaimName())
        .containsExactly("colours");

    // Both in object storage: two init containers, one emptyDir.
    ServedModel both =
        ServedModel.pair(
            new ServedModel.Stage(URI, A, null),
            new ServedModel.Stage("s3://models/colours/appearance", B, null),
            null);
    pod = pod(sd, both);
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("fetch", "fetch-appearance");
    assertThat(pod.getInitContainers().get(1).getArgs())
        .containsSubsequence(
            "--uri", "s3://models/colours/appearance", "--digest", B, "--to", "/models/appearance");
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSubsequence("--model", "/models/structure", "--appearance", "/models/appearance");
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).isNull());
  }

  @Test
  void aJobThatWroteToObjectStorageIsServedFromThere() {
    StudentDeployment sd = s3Deployment();
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.digest = null;
    sd.getSpec().source.distillationJobRef = "shapes";
    DistillationJob dj = Fixtures.distillationJob("shapes");
    dj.setStatus(new DistillationJobStatus());
    dj.getStatus().phase = Phase.Succeeded;
    dj.getStatus().result = new ResultStatus();
    dj.getStatus().result.artifact = "s3://distillery-out/runs/shapes/student-mdt";
    dj.getStatus().result.digest = B;
    SourceResolution r = SourceResolution.of(sd, dj);
    assertThat(r.ready()).isTrue();
    assertThat(r.model().fetched()).isTrue();
    assertThat(pod(sd, r.model()).getInitContainers().get(0).getArgs())
        .contains("s3://distillery-out/runs/shapes/student-mdt", B);
  }

  @Test
  void aFailedFetchMakesAvailableFalseWithModelFetchFailedNamingTheUri() {
    StudentDeployment sd = s3Deployment();
    String line = URI + ": endpoint http://seaweedfs:8333 unreachable after 30 s";
    Pod pod =
        servingPod(
            sd,
            "shapes-abc",
            new ContainerStatusBuilder()
                .withName("fetch")
                .withState(waiting("CrashLoopBackOff", null))
                .withLastState(
                    new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(6)
                        .withMessage(line)
                        .endTerminated()
                        .build())
                .build());
    StudentDeploymentStatus s = next(sd, List.of(pod));
    var available = Conditions.find(s.conditions, StudentConditions.AVAILABLE).orElseThrow();
    assertThat(available.getStatus()).isEqualTo("False");
    assertThat(available.getReason()).isEqualTo(StudentConditions.MODEL_FETCH_FAILED);
    assertThat(available.getMessage())
        .contains("0/3 serving pods ready")
        .contains("pod shapes-abc: init container fetch exited with code 6")
        .contains("object storage unreachable")
        .contains(line);

    // Without the pods' reasons it stays the plain ReplicasNotReady.
    assertThat(Conditions.reason(next(sd, List.of()).conditions, StudentConditions.AVAILABLE))
        .isEqualTo(StudentConditions.REPLICAS_NOT_READY);
  }

  @Test
  void aMissingCredentialsSecretIsCredentialsMissingNamingIt() {
    StudentDeployment sd = s3Deployment();
    Pod pod =
        servingPod(
            sd,
            "shapes-abc",
            new ContainerStatusBuilder()
                .withName("fetch")
                .withState(waiting("CreateContainerConfigError", "secret \"s3-creds\" not found"))
                .build());
    StudentDeploymentStatus s = next(sd, List.of(pod));
    var available = Conditions.find(s.conditions, StudentConditions.AVAILABLE).orElseThrow();
    assertThat(available.getReason()).isEqualTo(StudentConditions.CREDENTIALS_MISSING);
    assertThat(available.getMessage())
        .contains("credentials Secret s3-creds (spec.s3.credentialsSecret)")
        .contains("secret \"s3-creds\" not found");
  }

  private static StudentDeploymentStatus next(StudentDeployment sd, List<Pod> pods) {
    SourceResolution source = SourceResolution.of(sd, null);
    Deployment stable = ServingDeployments.stable(sd, source.model(), SETTINGS);
    stable.getMetadata().setGeneration(1L);
    stable.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(1L)
            .withReplicas(3)
            .withUpdatedReplicas(3)
            .withReadyReplicas(0)
            .build());
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(
            source,
            RolloutPlan.of(sd, source),
            stable,
            null,
            Optional::empty,
            Optional::empty,
            Optional::empty,
            pods),
        T0);
  }

  /** A stable pod of {@code sd} serving digest A, with one init container status. */
  private static Pod servingPod(
      StudentDeployment sd, String name, io.fabric8.kubernetes.api.model.ContainerStatus fetch) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(sd.getMetadata().getNamespace())
        .withLabels(StudentNames.labels(sd, StudentNames.STABLE))
        .withAnnotations(Map.of(Labels.MODEL_DIGEST, A))
        .endMetadata()
        .withNewStatus()
        .withPhase("Pending")
        .withInitContainerStatuses(fetch)
        .endStatus()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.ContainerState waiting(
      String reason, String message) {
    return new ContainerStateBuilder()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .build();
  }

  private static void assertSecretEnv(Container c) {
    Map<String, EnvVar> env =
        c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    Map<String, String> keys =
        Map.of(
            "AWS_ACCESS_KEY_ID", "accessKeyId",
            "AWS_SECRET_ACCESS_KEY", "secretAccessKey",
            "AWS_ENDPOINT_URL_S3", "endpoint",
            "AWS_REGION", "region",
            "DISTILLERY_S3_PATH_STYLE", "pathStyle");
    assertThat(env.keySet()).containsAll(keys.keySet());
    keys.forEach(
        (name, key) -> {
          var ref = env.get(name).getValueFrom().getSecretKeyRef();
          assertThat(env.get(name).getValue()).isNull();
          assertThat(ref.getName()).isEqualTo("s3-creds");
          assertThat(ref.getKey()).isEqualTo(key);
          boolean required = key.equals("accessKeyId") || key.equals("secretAccessKey");
          assertThat(ref.getOptional()).as(name).isEqualTo(required ? null : Boolean.TRUE);
        });
  }

  private static PodSpec pod(StudentDeployment sd, ServedModel model) {
    return ServingDeployments.stable(sd, model, SETTINGS).getSpec().getTemplate().getSpec();
  }
}
