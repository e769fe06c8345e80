package io.distillery.mdt.cli;

import io.distillery.mdt.serve.AssetFormat;
import io.distillery.mdt.serve.LoadTest;
import io.distillery.mdt.serve.ServeOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mdt loadtest}: bounded loopback load test of {@code mdt serve}, per model. */
@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Start the server in this process on 127.0.0.1 for each model in turn and measure p50/p99"
          + " latency and throughput with each client count (closed loop). Each (model, clients)"
          + " run stops after --requests requests or --duration-s seconds. Writes FILE.json and"
          + " FILE.md (a markdown table) and prints the table."
    })
public final class LoadTestCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Artifact dir (repeat for several models, measured in the same run).")
  List<Path> models;

  @Option(
      names = "--clients",
      split = ",",
      paramLabel = "N[,N...]",
      defaultValue = "1,16",
      description = "Concurrent client counts.")
  List<Integer> clients;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "200",
      description = "Requests per model and client count.")
  int requests;

  @Option(
      names = "--duration-s",
      paramLabel = "S",
      defaultValue = "60",
      description = "Time limit per model and client count.")
  int durationS;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "voxels",
      description = "Asset format requested: ply, obj, png, voxels or npz.")
  String format;

  @Option(
      names = "--out",
      paramLabel = "FILE.json",
      defaultValue = "loadtest.json",
      description = "Report file; the markdown table goes beside it as .md.")
  Path out;

  @Mixin BatchingOptions batching;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    batching.configureThreads(spec);
    AssetFormat f = AssetFormat.parse(format);
    if (f == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--format must be one of " + AssetFormat.names() + ", got '" + format + "'");
    }
    LoadTest.Settings settings;
    try {
      ServeOptions serve = batching.applyTo(ServeOptions.loopback().withMaxCount(1));
      settings = new LoadTest.Settings(clients, requests, Duration.ofSeconds(durationS), f, serve);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    LoadTest.Report report = LoadTest.run(models, settings);
    Path md = LoadTest.write(report, out);
    PrintWriter w = spec.commandLine().getOut();
    w.print(report.markdown());
    w.printf("%nwritten %s and %s%n", out, md);
    w.flush();
    return 0;
  }
}
