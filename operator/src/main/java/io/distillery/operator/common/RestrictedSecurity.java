package io.distillery.operator.common;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * The security contexts of the restricted Pod Security Standard, one place for every pod the
 * operator creates (trainer, serving and probe pods; the image runs as uid 10001).
 */
public final class RestrictedSecurity {
  private RestrictedSecurity() {}

  /** Pod level: non-root, the runtime's default seccomp profile. */
  public static PodSecurityContext pod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /** Container level: no privilege escalation, no capabilities. */
  public static SecurityContext container() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  /**
   * {@link #container()} with a read-only root filesystem, for a process that writes only to its
   * mounted volumes (serving and probe pods mount an emptyDir at /tmp).
   */
  public static SecurityContext readOnlyContainer() {
    return new SecurityContextBuilder(container())
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(true)
        .build();
  }
}
