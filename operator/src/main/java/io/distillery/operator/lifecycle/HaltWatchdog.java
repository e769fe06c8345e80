package io.distillery.operator.lifecycle;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Ends the JVM if a shutdown is still running after its deadline (a stop stuck on an API server
 * that went away, a reconciliation that does not finish): Kubernetes would otherwise wait out the
 * pod's grace period before killing it, with no leader meanwhile.
 */
final class HaltWatchdog {
  private static final Logger LOG = Logger.getLogger(HaltWatchdog.class);

  private HaltWatchdog() {}

  static void start(Duration deadline, int status) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(deadline.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              LOG.errorf(
                  "Shutdown still running after %d ms; halting with status %d",
                  deadline.toMillis(), status);
              Runtime.getRuntime().halt(status);
            },
            "distillery-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
