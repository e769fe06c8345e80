package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.PodResources;
import io.distillery.operator.common.RestrictedSecurity;
import io.distillery.operator.common.S3Env;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The init containers that download an {@code s3://} model before {@code mdt serve} starts: {@code
 * mdt fetch} verifies every file and the artifact digest (the version the rollout keys on), so the
 * serving container only ever sees a verified copy, read-only.
 */
final class ServingFetch {
  /** The emptyDir the stages are fetched into. */
  static final String VOLUME = "models";

  private static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  private ServingFetch() {}

  /** One init container per fetched stage, structure first; none for models on claims. */
  static List<Container> initContainers(
      StudentDeployment sd, ServedModel model, OperatorSettings settings) {
    List<Container> fetches = new ArrayList<>();
    if (model.fetched()) {
      fetches.add(
          fetch(
              sd,
              settings,
              StudentNames.FETCH_CONTAINER,
              model.uri(),
              model.structureDigest(),
              ServedModel.FETCHED_STRUCTURE));
    }
    if (model.appearanceFetched()) {
      var stage = model.appearance().stage();
      fetches.add(
          fetch(
              sd,
              settings,
              StudentNames.FETCH_APPEARANCE_CONTAINER,
              stage.uri(),
              stage.digest(),
              ServedModel.FETCHED_APPEARANCE));
    }
    return fetches;
  }

  private static Container fetch(
      StudentDeployment sd,
      OperatorSettings settings,
      String name,
      String uri,
      String digest,
      String to) {
    var spec = sd.getSpec();
    return new ContainerBuilder()
        .withName(name)
        .withImage(spec.image != null ? spec.image : settings.trainerImage())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withArgs(
            "fetch",
            "--uri",
            uri,
            "--digest",
            digest,
            "--to",
            to,
            "--termination-message-path",
            TERMINATION_MESSAGE_PATH)
        .addNewEnv()
        .withName("TMPDIR")
        .withValue("/tmp")
        .endEnv()
        .addAllToEnv(S3Env.of(spec.s3))
        // CPU and memory as the serving container's (an init container's requests do not add to
        // the pod's); never a GPU, which a download does not use.
        .withResources(PodResources.of(withoutGpus(spec.resources), settings.gpuResourceName()))
        .addNewVolumeMount()
        .withName(VOLUME)
        .withMountPath(StudentNames.FETCH_MOUNT)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        // The line naming the URI and the problem; the log tail when mdt wrote none.
        .withTerminationMessagePath(TERMINATION_MESSAGE_PATH)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(RestrictedSecurity.readOnlyContainer())
        .build();
  }

  private static ResourcesSpec withoutGpus(ResourcesSpec r) {
    if (r == null) {
      return null;
    }
    ResourcesSpec copy = new ResourcesSpec();
    copy.cpu = r.cpu;
    copy.memory = r.memory;
    return copy;
  }
}
