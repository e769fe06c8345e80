package io.distillery.operator.serving;

/** Generate requests counted by {@code mdt_serve_requests_total}, summed over pods. */
public record RequestCounts(long total, long serverErrors) {
  public RequestCounts plus(RequestCounts o) {
    return new RequestCounts(total + o.total, serverErrors + o.serverErrors);
  }
}
