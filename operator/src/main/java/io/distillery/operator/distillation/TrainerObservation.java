package io.distillery.operator.distillation;

import io.distillery.config.TrainerProgress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/**
 * Everything the status is computed from, gathered by the reconciler; the mapping itself is pure.
 *
 * @param job the trainer Job, or null
 * @param pods the trainer pods of every attempt
 * @param configMapPresent whether the trainer ConfigMap exists
 * @param givenClaimMissing a claim named in spec.output.claimName does not exist
 * @param specProblems what the reconciler found wrong with the spec
 * @param progress the trainer's /progress, or null when not read this time
 * @param workload Kueue's Workload for a queued Job, or null (not queued, not read, no Kueue)
 */
public record TrainerObservation(
    Job job,
    List<Pod> pods,
    boolean configMapPresent,
    boolean givenClaimMissing,
    List<String> specProblems,
    ProgressReading progress,
    KueueWorkload workload) {

  /** Without a Kueue Workload. */
  public TrainerObservation(
      Job job,
      List<Pod> pods,
      boolean configMapPresent,
      boolean givenClaimMissing,
      List<String> specProblems,
      ProgressReading progress) {
    this(job, pods, configMapPresent, givenClaimMissing, specProblems, progress, null);
  }

  /**
   * One attempt to read {@code /progress}.
   *
   * @param progress the answer, or null when the pod did not answer usefully
   * @param error why not, for logs
   */
  public record ProgressReading(TrainerProgress progress, String error) {
    public static ProgressReading of(TrainerProgress p) {
      return new ProgressReading(p, null);
    }

    public static ProgressReading failed(String error) {
      return new ProgressReading(null, error);
    }
  }
}
