package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.Lazy;
import io.distillery.operator.common.OperatorSettings;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;
import java.util.List;

/**
 * What one reconcile of a DistillationJob shares between the reconciler, the preconditions and the
 * dependents, each value computed at most once in that reconcile (the claim check is a live GET,
 * and two preconditions and the reconciler ask for it). The reconciler installs it before the
 * workflow runs ({@link ContextInitializer}); the framework builds the dependents, so this is also
 * how they get the operator's settings.
 */
final class DistillationJobContext {
  private static final String KEY = DistillationJobContext.class.getName();

  private final OperatorSettings settings;
  private final Lazy<List<String>> specProblems;
  private final Lazy<Boolean> givenClaimMissing;
  private final Lazy<RenderedTrainerConfig> config;

  private DistillationJobContext(
      DistillationJob dj, Context<DistillationJob> ctx, OperatorSettings settings) {
    this.settings = settings;
    this.specProblems = Lazy.of(() -> SpecChecks.problems(dj));
    this.givenClaimMissing = Lazy.of(() -> GivenClaim.missing(dj, ctx.getClient()));
    this.config = Lazy.of(() -> RenderedTrainerConfig.of(dj));
  }

  static void install(DistillationJob dj, Context<DistillationJob> ctx, OperatorSettings settings) {
    ctx.managedWorkflowAndDependentResourceContext()
        .put(KEY, new DistillationJobContext(dj, ctx, settings));
  }

  static DistillationJobContext of(Context<DistillationJob> ctx) {
    return ctx.managedWorkflowAndDependentResourceContext()
        .getMandatory(KEY, DistillationJobContext.class);
  }

  OperatorSettings settings() {
    return settings;
  }

  List<String> specProblems() {
    return specProblems.get();
  }

  /** A claim named by spec.output.claimName does not exist (one GET, on first ask). */
  boolean givenClaimMissing() {
    return givenClaimMissing.get();
  }

  RenderedTrainerConfig config() {
    return config.get();
  }
}
