package io.distillery.operator.serving;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the reconciler saw: the resolved source, the plan, the two Deployments (null when absent)
 * and a lazy reading of the canary pods' request counters (only read while a canary is judged).
 */
public record ServingObservation(
    SourceResolution source,
    RolloutPlan plan,
    Deployment stable,
    Deployment canary,
    Supplier<Optional<RequestCounts>> canaryCounts) {}
