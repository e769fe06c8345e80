package io.distillery.operator.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Guards integration tests that run against a real etcd + kube-apiserver (Fabric8 kube-api-test).
 * Use it on the test class before kube-api-test's own annotation, which must sit on the class
 * itself (kube-api-test does not read meta-annotations):
 *
 * <pre>
 * &#64;ExtendWith(RealApiServer.class)
 * &#64;EnableKubeAPIServer(kubeAPIVersion = RealApiServer.KUBE_VERSION, updateKubeConfigFile = false,
 *     apiServerFlags = {"--advertise-address=127.0.0.1"})
 * </pre>
 *
 * It fails with instructions, rather than letting kube-api-test download or a mock stand in, when
 * the project's binaries are missing, and when {@link #KUBE_VERSION} drifts from the pins.
 */
public class RealApiServer implements BeforeAllCallback {
  /** Must equal KUBE_VERSION in hack/control-plane-versions.env (checked before every class). */
  public static final String KUBE_VERSION = "1.34.4";

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!("v" + KUBE_VERSION).equals(ControlPlane.kubeVersion())) {
      throw new IllegalStateException(
          "RealApiServer.KUBE_VERSION is "
              + KUBE_VERSION
              + " but hack/control-plane-versions.env pins "
              + ControlPlane.kubeVersion());
    }
    ControlPlane.requireApiServerBinaries();
  }
}
