package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.SkippedSourceStatus;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which DistillationJob {@code spec.source.distillationJobSelector} follows: the newest matching
 * job (latest metadata.creationTimestamp, a tie won by the greater name) that a reference to it
 * would serve, i.e. that {@link SourceResolution} resolves. Matching jobs newer than that one are
 * pending (not finished yet) or skipped (they never will be served). Pure.
 *
 * @param selected the job to serve, or null when no matching job passes
 * @param resolution the selected job's resolution, or why nothing can be served
 * @param pending newer matching jobs still running, newest first (at most {@link #LISTED})
 * @param skipped newer matching jobs that failed a check, newest first (at most {@link #LISTED})
 */
public record JobSelection(
    DistillationJob selected,
    SourceResolution resolution,
    List<String> pending,
    List<SkippedSourceStatus> skipped) {
  /** How many pending and skipped candidates the status lists. */
  public static final int LISTED = 5;

  /** Newest first: creationTimestamp descending, then name descending. */
  static final Comparator<DistillationJob> NEWEST_FIRST =
      Comparator.comparing(JobSelection::created)
          .thenComparing(j -> j.getMetadata().getName())
          .reversed();

  /**
   * @param jobs DistillationJobs of the deployment's namespace (others are ignored by the selector
   *     only, so pass that namespace's)
   * @param wanted the stage the job must distill (structure with spec.source.appearance), or null
   *     for a job served alone
   */
  public static JobSelection of(
      LabelSelector selector, Collection<DistillationJob> jobs, Stage wanted) {
    List<DistillationJob> matching =
        jobs.stream()
            .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
            .filter(j -> JobSelectors.matches(selector, j.getMetadata().getLabels()))
            .sorted(NEWEST_FIRST)
            .toList();
    if (matching.isEmpty()) {
      return new JobSelection(
          null,
          new SourceResolution(
              null,
              StudentConditions.NO_MATCHING_JOB,
              "no DistillationJob in this namespace matches spec.source.distillationJobSelector ("
                  + JobSelectors.describe(selector)
                  + "); waiting for one"),
          List.of(),
          List.of());
    }
    List<String> pending = new ArrayList<>();
    List<SkippedSourceStatus> skipped = new ArrayList<>();
    SourceResolution newest = null;
    for (DistillationJob job : matching) {
      SourceResolution r =
          SourceResolution.job(job.getMetadata().getName(), job, wanted, "spec.source");
      if (r.ready()) {
        return new JobSelection(job, r, bounded(pending), bounded(skipped));
      }
      newest = newest == null ? r : newest;
      if (StudentConditions.SOURCE_NOT_SUCCEEDED.equals(r.reason())) {
        pending.add(job.getMetadata().getName());
      } else {
        skipped.add(new SkippedSourceStatus(job.getMetadata().getName(), r.reason(), r.message()));
      }
    }
    // None passes yet: the newest candidate says why the deployment waits.
    return new JobSelection(
        null,
        new SourceResolution(
            null,
            newest.reason(),
            "none of the "
                + matching.size()
                + " DistillationJobs matching spec.source.distillationJobSelector ("
                + JobSelectors.describe(selector)
                + ") can be served yet; the newest: "
                + newest.message()),
        bounded(pending),
        bounded(skipped));
  }

  private static Instant created(DistillationJob j) {
    String t = j.getMetadata().getCreationTimestamp();
    return t == null ? Instant.EPOCH : Instant.parse(t);
  }

  private static <T> List<T> bounded(List<T> list) {
    return List.copyOf(list.subList(0, Math.min(LISTED, list.size())));
  }
}
