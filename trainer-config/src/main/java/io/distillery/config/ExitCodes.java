package io.distillery.config;

/**
 * Exit codes of {@code mdt}. The operator maps them to a DistillationJob failure reason, so they
 * are part of the contract and must not be renumbered.
 */
public final class ExitCodes {
  /** Finished; the result JSON says what was produced. */
  public static final int OK = 0;

  /** Unexpected internal error (a bug or an environment problem). */
  public static final int INTERNAL = 1;

  /** Bad command line or configuration (unknown key, value out of range). */
  public static final int INVALID_CONFIG = 2;

  /**
   * Bad input data or model: missing file, wrong shape, corrupt artifact, incompatible checkpoint.
   */
  public static final int INVALID_INPUT = 3;

  /** Training diverged (NaN/inf or a sustained rise of the loss); no artifact was written. */
  public static final int DIVERGED = 4;

  /** The student was written but failed the quality/speed gate. */
  public static final int GATE_FAILED = 5;

  /**
   * Object storage (an {@code s3://} input or output) stayed unreachable: the endpoint did not
   * answer, or answered 5xx, after the client's bounded retries.
   */
  public static final int STORAGE_UNAVAILABLE = 6;

  /**
   * Stopped by SIGTERM (preempted, drained, deleted pod) after checkpointing the current training
   * step; a rerun with the same output resumes from it. 128 + SIGTERM, the status the JVM and the
   * kubelet give a terminated process, so a retrying Job treats it as any other termination.
   */
  public static final int PREEMPTED = 143;

  private ExitCodes() {}

  /** Human meaning of an exit code, for status messages. */
  public static String meaning(int code) {
    return switch (code) {
      case OK -> "finished";
      case INTERNAL -> "internal error in the trainer";
      case INVALID_CONFIG -> "invalid trainer configuration";
      case INVALID_INPUT -> "invalid input data, teacher or checkpoint";
      case DIVERGED -> "training diverged (NaN/inf or rising loss)";
      case GATE_FAILED -> "student failed the quality/speed gate";
      case STORAGE_UNAVAILABLE -> "object storage unreachable";
      case 137 -> "killed (SIGKILL, often out of memory)";
      case PREEMPTED -> "terminated (SIGTERM)";
      default -> "exit code " + code;
    };
  }
}
