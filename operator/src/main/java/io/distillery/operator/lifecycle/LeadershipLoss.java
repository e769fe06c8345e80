package io.distillery.operator.lifecycle;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * What happens when this replica stops leading. During a shutdown that is expected and nothing
 * happens. Otherwise the Lease was lost (the API server did not confirm a renewal within the renew
 * deadline, or another replica took it over): reconciling on could race the new leader, so the
 * process exits with {@link #EXIT_CODE}; in a pod Kubernetes restarts it and it rejoins the
 * election. The exit runs on its own thread: {@code System.exit} blocks its caller until the
 * shutdown hooks finish, and the leader elector's thread must not be one of them.
 */
@Singleton
public class LeadershipLoss {
  /** The exit status after losing the Lease. */
  public static final int EXIT_CODE = 1;

  private static final Logger LOG = Logger.getLogger(LeadershipLoss.class);

  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();

  /** Called first on shutdown: stopping to lead from then on is the shutdown's doing. */
  void shutdownStarted() {
    shuttingDown.set(true);
  }

  boolean lost() {
    return lost.get();
  }

  /** The leader elector's stop-leading callback. */
  void stoppedLeading(String lease) {
    if (shuttingDown.get() || !lost.compareAndSet(false, true)) {
      return;
    }
    LOG.errorf(
        "Lost the leader-election Lease %s (not renewed within the renew deadline, or taken"
            + " over); exiting with status %d so that a restart rejoins the election",
        lease, EXIT_CODE);
    Thread exit = new Thread(() -> System.exit(EXIT_CODE), "distillery-lease-lost-exit");
    exit.setDaemon(true);
    exit.start();
  }
}
