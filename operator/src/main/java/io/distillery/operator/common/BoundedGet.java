package io.distillery.operator.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plain HTTP/1.1 GET of a pod's endpoint from inside a reconcile, bounded in time and size: the
 * timeout covers the whole exchange, body included, and a body over the limit fails instead of
 * filling memory. The JDK client's own request timeout stops at the headers; a trainer that died
 * mid-answer once held a reconcile on the body forever, leaving its job "Running" after the trainer
 * had failed.
 */
public final class BoundedGet {
  private final HttpClient http;
  private final Duration timeout;
  private final int maxBytes;

  public BoundedGet(Duration timeout, int maxBytes) {
    this.timeout = timeout;
    this.maxBytes = maxBytes;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** {@code http://<ip>:<port><path>} of a pod, with an IPv6 address bracketed. */
  public static URI podUri(String ip, int port, String path) {
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    return URI.create("http://" + host + ":" + port + path);
  }

  /** The status and body of {@code GET uri}; an {@link IOException} says what went wrong. */
  public HttpResponse<byte[]> get(URI uri, String accept) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept).GET().build();
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(request, info -> new CappedBody(maxBytes));
    try {
      return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }
  }

  /** Collects a body of at most {@code limit} bytes. */
  static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    CappedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer b : buffers) {
        if (bytes.size() + b.remaining() > limit) {
          subscription.cancel();
          body.completeExceptionally(new IOException("answer larger than " + limit + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      body.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }
}
