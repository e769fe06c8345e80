package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;

/**
 * The probe pods' informer (their termination message is the probe's report, so a finished pod
 * triggers the verdict without an API call) and the ready stable pods a probe compares against.
 */
final class ProbePods {
  static final String NAME = "probe-pods";

  private ProbePods() {}

  static InformerEventSource<Pod, StudentDeployment> informer(
      EventSourceContext<StudentDeployment> ctx) {
    var config =
        InformerEventSourceConfiguration.from(Pod.class, StudentDeployment.class)
            .withName(NAME)
            .withLabelSelector(ProbeJobs.SELECTOR)
            .withSecondaryToPrimaryMapper(
                (Pod p) -> {
                  String sd = p.getMetadata().getLabels().get(Labels.PROBE_OF);
                  return sd == null
                      ? Set.of()
                      : Set.of(new ResourceID(sd, p.getMetadata().getNamespace()));
                })
            .build();
    return new InformerEventSource<>(config, ctx);
  }

  /** The StudentDeployment's probe pods from the informer cache. */
  static List<Pod> of(StudentDeployment sd, Context<StudentDeployment> ctx) {
    return ctx.getSecondaryResources(Pod.class).stream()
        .filter(p -> ProbeJobs.COMPONENT.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
        .toList();
  }

  /** Ready stable pods serving {@code digest}, the side a probe compares the canary with. */
  static List<Pod> readyStable(
      StudentDeployment sd, Context<StudentDeployment> ctx, String digest) {
    return ServingEventSources.readyPods(sd, ctx, StudentNames.STABLE, digest);
  }
}
