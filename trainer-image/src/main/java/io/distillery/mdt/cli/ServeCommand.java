package io.distillery.mdt.cli;

import io.distillery.mdt.progress.ProgressServer;
import io.distillery.mdt.serve.GenerationServer;
import io.distillery.mdt.serve.ServeOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mdt serve}: listen, load and warm up the artifact, serve until SIGTERM, then drain. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Serve a student (or teacher) artifact over HTTP: POST /v1/generate, GET /v1/model,"
          + " /healthz, /readyz, /metrics (see trainer-image/SERVING.md).",
      "Liveness answers at once; readiness only after the digests are verified and one batch"
          + " per supported step count has run. SIGTERM drains: readiness turns false, new"
          + " requests get 503, queued and running ones finish."
    })
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Artifact dir.")
  Path model;

  @Option(
      names = "--appearance",
      paramLabel = "DIR",
      description =
          "An appearance-stage artifact dir: serve --model (then a structure model) and it as the"
              + " two-stage pipeline `mdt pipeline` would make of them; the served digest is the"
              + " pair's (trainer-image/SERVING.md).")
  Path appearance;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "Step count for requests that do not name one (default: the model's; a student serves"
              + " only its trained step counts).")
  Integer steps;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "TCP port.")
  int port;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = "${env:" + ProgressServer.BIND_ADDRESS_ENV + ":-0.0.0.0}",
      description = "Interface to bind (default: $MDT_BIND_ADDRESS, else all interfaces).")
  String host;

  @Option(
      names = "--max-count",
      paramLabel = "N",
      defaultValue = "4",
      description = "Most samples one request may ask for (count).")
  int maxCount;

  @Option(
      names = "--drain-timeout-s",
      paramLabel = "S",
      defaultValue = "30",
      description = "How long shutdown waits for queued and running requests.")
  int drainTimeoutS;

  @Mixin BatchingOptions batching;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    batching.configureThreads(spec);
    ServeOptions options;
    try {
      options =
          new ServeOptions(
              host,
              port,
              batching.device,
              batching.maxBatch,
              batching.batchWindowMs,
              batching.queue,
              maxCount,
              drainTimeoutS * 1000L,
              ServeOptions.DEFAULT_IDLE_TIMEOUT_MS,
              batching.replicas,
              steps);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    GenerationServer server;
    try {
      server = GenerationServer.listen(options);
    } catch (IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), "--port/--host: " + e.getMessage());
    }
    Thread hook = new Thread(server::close, "mdt-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (appearance != null) {
        server.load(model, appearance);
      } else {
        server.load(model);
      }
    } catch (IllegalArgumentException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } catch (Exception e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "serving %s (%s, %d steps, replicas %s) on %s%n",
        server.model().digest(),
        server.model().role(),
        server.model().defaultSteps(),
        String.join(",", server.replicaDevices()),
        server.baseUri());
    out.flush();
    server.awaitStopped();
    return 0;
  }
}
