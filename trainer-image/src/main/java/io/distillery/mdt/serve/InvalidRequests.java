package io.distillery.mdt.serve;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP decoder could not parse (URI or headers too large, malformed) with the
 * same JSON error body as every other error; Vert.x's default answers them with an empty body.
 */
final class InvalidRequests {
  private InvalidRequests() {}

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request URI too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request header fields too large";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    // The decoder cannot resynchronise on this connection: answer, then close it.
    request.response().putHeader("Connection", "close");
    GenerationServer.error(request.response(), status, null, message);
  }
}
