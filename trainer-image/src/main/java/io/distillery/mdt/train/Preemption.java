package io.distillery.mdt.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM (a preempted or drained pod) or SIGINT while a loop trains: the loop finishes its step,
 * writes a checkpoint and stops, and the process exits with {@code ExitCodes.PREEMPTED} (143, the
 * JVM's own exit status on SIGTERM), so the next attempt resumes exactly there. The JVM runs its
 * shutdown hooks on these signals and halts as soon as they return, so the hook asks the loop to
 * stop and waits until it has.
 */
final class Preemption implements AutoCloseable {
  /**
   * Bound on the hook's wait: a step and a checkpoint take seconds; a kubelet's grace period
   * (default 30 s) ends in SIGKILL anyway, and outside a pod a hung step must not hang the exit.
   */
  private static final long MAX_WAIT_SECONDS = 300;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean requested;

  private Preemption() {
    hook = new Thread(this::requestAndWait, "mdt-preemption");
  }

  /** Watches for SIGTERM/SIGINT until {@link #close}. */
  static Preemption watch() {
    Preemption p = new Preemption();
    try {
      Runtime.getRuntime().addShutdownHook(p.hook);
    } catch (IllegalStateException shuttingDown) {
      p.requested = true; // the signal came before the loop started: stop at once
    }
    return p;
  }

  /** Whether the loop should checkpoint and stop after its current step. */
  boolean requested() {
    return requested;
  }

  private void requestAndWait() {
    requested = true;
    try {
      stopped.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The loop has stopped (checkpointed, finished or failed): the JVM may halt now. */
  @Override
  public void close() {
    stopped.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running (or done) and returns now that the loop has stopped
    }
  }
}
