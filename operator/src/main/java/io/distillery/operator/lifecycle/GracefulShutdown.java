package io.distillery.operator.lifecycle;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The operator's shutdown (SIGTERM, or the exit after losing the Lease), bounded so the process
 * ends within {@link #DEADLINE} even when the API server is gone: stop reconciling (the SDK's
 * operator stop, which also stops the leader elector), then release the Lease if this replica held
 * it, so a standby takes over at once. Runs before the Quarkus Operator SDK's own shutdown
 * observer, whose second stop is then a no-op.
 */
@Singleton
public class GracefulShutdown {
  /** Everything, including the JVM's own teardown, ends within this (the test allows 5 s). */
  static final Duration DEADLINE = Duration.ofMillis(4_000);

  private static final Duration STOP_TIMEOUT = Duration.ofMillis(2_500);
  private static final Duration RELEASE_TIMEOUT = Duration.ofMillis(1_000);
  private static final int SIGTERM_STATUS = 143;
  private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

  private final Operator operator;
  private final LeaderElection election;
  private final LeadershipLoss loss;
  private final Config clientConfig;

  public GracefulShutdown(
      Operator operator, LeaderElection election, LeadershipLoss loss, KubernetesClient client) {
    this.operator = operator;
    this.election = election;
    this.loss = loss;
    this.clientConfig = client.getConfiguration();
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
    if (operator.getConfigurationService().getLeaderElectionConfiguration().isPresent()) {
      LOG.infof(
          "Leader election through the Lease %s/%s (namespace: %s), identity %s",
          election.namespace().name(),
          election.getLeaseName(),
          election.namespace().source(),
          election.identity());
    }
  }

  void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
    loss.shutdownStarted();
    // Only when the JVM is going down (a signal or System.exit): a test that stops the
    // application keeps its JVM, and a standard exit (main returning) ends by itself.
    if (!event.isStandardShutdown() && LaunchMode.current() == LaunchMode.NORMAL) {
      HaltWatchdog.start(DEADLINE, loss.lost() ? LeadershipLoss.EXIT_CODE : SIGTERM_STATUS);
    }
    long start = System.nanoTime();
    boolean stopped = bounded("stopping the operator", operator::stop, STOP_TIMEOUT);
    if (operator.getConfigurationService().getLeaderElectionConfiguration().isPresent()) {
      releaseLease(stopped);
    }
    LOG.infof("Operator stopped in %d ms", (System.nanoTime() - start) / 1_000_000);
  }

  private void releaseLease(boolean stopped) {
    String lease = election.namespace().name() + "/" + election.getLeaseName();
    if (!stopped) {
      // The elector may still renew: releasing now could hand the Lease to a standby while this
      // replica still reconciles. The standby takes over after the lease duration instead.
      LOG.warnf("Lease %s not released: the operator did not stop in time", lease);
      return;
    }
    bounded(
        "releasing the Lease " + lease,
        () -> {
          if (LeaseRelease.release(
              clientConfig,
              election.namespace().name(),
              election.getLeaseName(),
              election.identity())) {
            LOG.infof("Released the Lease %s", lease);
          }
        },
        RELEASE_TIMEOUT);
  }

  /** Runs {@code step} on its own thread; true if it finished without error within the timeout. */
  private static boolean bounded(String what, Runnable step, Duration timeout) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread worker =
        new Thread(
            () -> {
              try {
                step.run();
                done.complete(null);
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            },
            "distillery-shutdown");
    worker.setDaemon(true);
    worker.start();
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      LOG.warnf("Shutdown: %s did not finish within %d ms: %s", what, timeout.toMillis(), e);
      return false;
    }
  }
}
