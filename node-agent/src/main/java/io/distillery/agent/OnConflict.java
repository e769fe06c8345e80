package io.distillery.agent;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Retries a read-modify-write of the agent's status writes when the object changed in between (HTTP
 * 409): controllers edit the same nodes and pods (taints, finalizers) at any moment, and a
 * kubelet's status must not be lost to that.
 */
final class OnConflict {
  private static final int ATTEMPTS = 10;

  private OnConflict() {}

  static void retry(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(50L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
