package io.distillery.mdt.cli;

import io.distillery.config.CanaryProbeReport;
import io.distillery.config.ExitCodes;
import io.distillery.mdt.probe.CanaryProbe;
import io.distillery.mdt.probe.ProbeSettings;
import io.distillery.mdt.probe.ReportFile;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mdt probe}: measures a canary's outputs against the stable model's for the same probes
 * ({@link CanaryProbe}), the figures the operator judges a StudentDeployment's canary on.
 */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Send the same probe requests (classes, seeds) to the canary's and the stable model's"
          + " serving pods, each at its default steps, and measure what came back: empty rate,"
          + " class accuracy (shipped classifier, where it applies) and the distance ratio of the"
          + " canary's outputs to the stable model's. The stable model also gets N probes at other"
          + " seeds (3N samples in all). Every request carries the X-Distillery-Probe header, so"
          + " the pods count it as traffic=\"probe\". Prints the report JSON and writes it to"
          + " --report.",
      "Exit codes: 0 measured, 3 inconclusive (a side unreachable, an error answer, no common"
          + " class, the deadline passed; the report says which and is still written), 2 bad"
          + " options (no report)."
    })
public final class ProbeCommand implements Callable<Integer> {
  @Option(
      names = "--canary",
      required = true,
      split = ",",
      paramLabel = "URL",
      description = "Base URLs of the canary's serving pods (http://ip:port).")
  List<String> canary;

  @Option(
      names = "--stable",
      required = true,
      split = ",",
      paramLabel = "URL",
      description = "Base URLs of the stable model's serving pods.")
  List<String> stable;

  @Option(
      names = "--probes",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Samples asked of the canary ("
              + ProbeSettings.MIN_PROBES
              + ".."
              + ProbeSettings.MAX_PROBES
              + "); the stable model gets 2N.")
  int probes;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "Derives every probe's seed.")
  long seed;

  @Option(
      names = "--classes",
      split = ",",
      paramLabel = "CLASS",
      description = "Classes to probe (default: every class both models serve).")
  List<String> classes;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "Deadline of the whole probe.")
  int timeoutSeconds;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Also write the report here (the container's termination-message path).")
  Path report;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProbeSettings settings;
    try {
      settings =
          new ProbeSettings(
              urls("--canary", canary),
              urls("--stable", stable),
              probes,
              seed,
              classes,
              Duration.ofSeconds(timeoutSeconds));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    CanaryProbeReport result = CanaryProbe.run(settings);
    String json = result.toJson();
    if (report != null) {
      ReportFile.write(report, json);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(json);
    out.flush();
    return CanaryProbeReport.MEASURED.equals(result.status)
        ? ExitCodes.OK
        : CanaryProbeReport.INCONCLUSIVE_EXIT;
  }

  private List<URI> urls(String option, List<String> values) {
    List<URI> out = new ArrayList<>();
    for (String v : values) {
      URI u = null;
      try {
        u = URI.create(v.strip());
      } catch (IllegalArgumentException notAUri) {
        // reported below
      }
      if (u == null
          || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
          || u.getHost() == null
          || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
          || u.getRawQuery() != null) {
        throw new ParameterException(
            spec.commandLine(),
            option + ": '" + v + "' is not a pod's base URL such as http://10.0.0.7:8080");
      }
      out.add(u);
    }
    return out;
  }
}
