package io.distillery.operator.serving;

import io.distillery.config.ExitCodes;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.CredentialsProblem;
import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Why serving pods of a track stay unready: a fetch init container of an {@code s3://} model that
 * failed (its termination message names the URI and the problem) or that cannot start because the
 * credentials Secret is missing; or the serving container itself exiting, e.g. exit 2 for {@code
 * --device gpu} on a node where no GPU is visible (its last log line names the GPU count, libtorch
 * and driver found). Pure: reads the pods the reconciler passes.
 */
final class PodProblems {
  private static final int MAX_DETAIL = 512;

  private PodProblems() {}

  /** A reason for a condition and the message saying what went wrong where. */
  record Problem(String reason, String message) {}

  /** The first problem among {@code sd}'s pods of {@code track} serving {@code digest}. */
  static Optional<Problem> of(StudentDeployment sd, List<Pod> pods, String track, String digest) {
    if (pods == null || digest == null) {
      return Optional.empty();
    }
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> label(p, Labels.STUDENT_DEPLOYMENT).equals(sd.getMetadata().getName()))
        .filter(p -> label(p, Labels.TRACK).equals(track))
        .filter(
            p ->
                p.getMetadata().getAnnotations() != null
                    && digest.equals(p.getMetadata().getAnnotations().get(Labels.MODEL_DIGEST)))
        .flatMap(
            p ->
                Stream.concat(
                    fetchStatuses(p).flatMap(c -> problem(sd, p, c).stream()),
                    serverStatuses(p).flatMap(c -> serverProblem(p, c).stream())))
        .findFirst();
  }

  private static Stream<ContainerStatus> serverStatuses(Pod p) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
      return Stream.empty();
    }
    return p.getStatus().getContainerStatuses().stream()
        .filter(c -> StudentNames.CONTAINER.equals(c.getName()));
  }

  /** The serving container exited with an error (now, or before the restart it waits for). */
  private static Optional<Problem> serverProblem(Pod p, ContainerStatus c) {
    return failure(c)
        .map(
            t ->
                new Problem(
                    StudentConditions.SERVER_FAILED,
                    "pod "
                        + p.getMetadata().getName()
                        + ": container "
                        + c.getName()
                        + " "
                        + describe(t)));
  }

  private static Optional<ContainerStateTerminated> failure(ContainerStatus c) {
    return Stream.of(c.getState(), c.getLastState())
        .filter(s -> s != null && s.getTerminated() != null)
        .map(ContainerState::getTerminated)
        .filter(t -> t.getExitCode() != null && t.getExitCode() != 0)
        .findFirst();
  }

  private static Stream<ContainerStatus> fetchStatuses(Pod p) {
    if (p.getStatus() == null || p.getStatus().getInitContainerStatuses() == null) {
      return Stream.empty();
    }
    return p.getStatus().getInitContainerStatuses().stream()
        .filter(c -> c.getName() != null && c.getName().startsWith(StudentNames.FETCH_CONTAINER));
  }

  private static Optional<Problem> problem(StudentDeployment sd, Pod p, ContainerStatus c) {
    String pod = p.getMetadata().getName();
    ContainerState state = c.getState();
    if (state != null && state.getWaiting() != null) {
      Optional<String> credentials =
          CredentialsProblem.of(
              sd.getSpec().s3, p.getMetadata().getNamespace(), state.getWaiting());
      if (credentials.isPresent()) {
        return Optional.of(
            new Problem(
                StudentConditions.CREDENTIALS_MISSING,
                "pod " + pod + " cannot fetch its model: " + credentials.get()));
      }
    }
    // A restarted init container keeps its last failure in lastState while it waits to retry.
    return failure(c)
        .map(
            t ->
                new Problem(
                    StudentConditions.MODEL_FETCH_FAILED,
                    "pod " + pod + ": init container " + c.getName() + " " + describe(t)));
  }

  /** "exited with code 6 (object storage unreachable): <mdt fetch's line>". */
  private static String describe(ContainerStateTerminated t) {
    int code = t.getExitCode();
    String text = "exited with code " + code + " (" + ExitCodes.meaning(code) + ")";
    String detail = lastLine(t.getMessage());
    if (detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL - 3) + "...";
    }
    return detail.isEmpty() ? text : text + ": " + detail;
  }

  private static String lastLine(String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static String label(Pod p, String key) {
    var labels = p.getMetadata().getLabels();
    String v = labels == null ? null : labels.get(key);
    return v == null ? "" : v;
  }
}
