package io.distillery.operator.common;

import io.distillery.operator.api.v1alpha1.ErrorCondition;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The one place a reconciler writes status. It writes only a change (compared as JSON), patches the
 * status alone with optimistic locking and retries a conflict against the newest copy (JOSDK's
 * {@link PrimaryUpdateAndCacheUtils}, which also keeps the informer's cache current), and records a
 * failed reconcile as the {@value #ERROR} condition, which the next successful reconcile removes.
 *
 * @param <P> the custom resource
 * @param <S> its status
 */
public final class StatusRecorder<P extends CustomResource<?, S>, S> {
  /** Condition type present (True) while reconciles fail; its message is the exception's. */
  public static final String ERROR = ErrorCondition.TYPE;

  public static final String ERROR_REASON = ErrorCondition.REASON;
  private static final int MAX_MESSAGE = 1024;
  private static final Logger LOG = Logger.getLogger(StatusRecorder.class);

  private final Supplier<P> newResource;
  private final Supplier<S> newStatus;
  private final Function<S, List<Condition>> conditions;
  private final BiConsumer<S, List<Condition>> setConditions;

  /**
   * @param newResource an empty resource of the kind (the patch carries name and status only)
   * @param newStatus an empty status, for an error before the first status
   */
  public StatusRecorder(
      Supplier<P> newResource,
      Supplier<S> newStatus,
      Function<S, List<Condition>> conditions,
      BiConsumer<S, List<Condition>> setConditions) {
    this.newResource = newResource;
    this.newStatus = newStatus;
    this.conditions = conditions;
    this.setConditions = setConditions;
  }

  /**
   * Writes {@code next} (without an error condition: this reconcile succeeded) unless it equals the
   * current status; {@code beforeWrite} runs first (events, metrics). True when written.
   */
  public boolean record(P primary, S next, Context<P> ctx, Runnable beforeWrite) {
    setConditions.accept(next, without(conditions.apply(next), ERROR));
    if (Json.same(primary.getStatus(), next)) {
      return false;
    }
    beforeWrite.run();
    patch(primary, next, ctx);
    return true;
  }

  /**
   * Records {@code error} on the status (for {@code Reconciler.updateErrorStatus}); JOSDK's retry
   * goes on as without it. The same message again writes nothing.
   */
  public ErrorStatusUpdateControl<P> recordError(P primary, Context<P> ctx, Exception error) {
    S status = primary.getStatus() == null ? newStatus.get() : Json.copy(primary.getStatus());
    long generation = Optional.ofNullable(primary.getMetadata().getGeneration()).orElse(0L);
    setConditions.accept(
        status,
        Conditions.with(
            conditions.apply(status),
            ERROR,
            true,
            ERROR_REASON,
            message(error),
            generation,
            Instant.now()));
    try {
      if (!Json.same(primary.getStatus(), status)) {
        patch(primary, status, ctx);
      }
    } catch (RuntimeException e) {
      // The API server may be what fails: the reconcile's own retry must go on regardless.
      LOG.warnf("cannot record the error on %s: %s", primary.getMetadata().getName(), e);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private void patch(P primary, S status, Context<P> ctx) {
    P update = newResource.get();
    update.getMetadata().setName(primary.getMetadata().getName());
    update.getMetadata().setNamespace(primary.getMetadata().getNamespace());
    update.setStatus(status);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(primary, update, ctx);
  }

  /** The failure in a person's words: each failed dependent's name and its exception's message. */
  static String message(Exception e) {
    String text;
    if (e instanceof AggregatedOperatorException a && !a.getAggregatedExceptions().isEmpty()) {
      text =
          a.getAggregatedExceptions().entrySet().stream()
              .map(f -> f.getKey() + ": " + message(f.getValue()))
              .collect(Collectors.joining("; "));
    } else if (e instanceof KubernetesClientException k
        && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      // The API server's own words, without the client's request line and status dump.
      text = k.getStatus().getMessage();
    } else {
      text = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 3) + "...";
  }

  private static List<Condition> without(List<Condition> conditions, String type) {
    return conditions == null
        ? null
        : new ArrayList<>(conditions.stream().filter(c -> !type.equals(c.getType())).toList());
  }
}
