package io.distillery.mdt.serve;

/**
 * A request the server answers with a 4xx/5xx and the JSON body {@code {"error": ..., "field":
 * ...}}; {@code field} names the offending request field or header, or is null.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String field;

  public ApiException(int status, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  public static ApiException badField(String field, String message) {
    return new ApiException(400, field, message);
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }
}
