package io.distillery.mdt.cli;

import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.storage.ArtifactFetch;
import io.distillery.mdt.storage.ObjectStore;
import io.distillery.mdt.storage.S3Location;
import io.distillery.mdt.storage.S3Settings;
import io.distillery.mdt.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mdt fetch}: a verified artifact from object storage into a directory. */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Download the artifact under --uri (s3://bucket/prefix), verify every file against its"
          + " manifest.json and the artifact digest against --digest, and move it into --to"
          + " (which must not exist or be empty) only when all of it verified: --to holds the"
          + " artifact or nothing. A --to that already holds the verified artifact with this digest"
          + " is left as it is.",
      "Connection: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (else the AWS SDK's default"
          + " credentials chain), AWS_REGION (default us-east-1), AWS_ENDPOINT_URL_S3 (an"
          + " S3-compatible server), DISTILLERY_S3_PATH_STYLE (default true with an endpoint).",
      "Exit codes: 0 ok, 2 bad options, 3 invalid input (no such bucket or key, no manifest,"
          + " digest mismatch, tampered file, wrong credentials, access denied), 6 object storage"
          + " unreachable. A failure's one-line message also goes to the termination-message"
          + " path."
    })
public final class FetchCommand implements Callable<Integer> {
  /** The kubelet's default termination-message path, used when it is writable. */
  static final Path DEFAULT_TERMINATION_LOG = Path.of("/dev/termination-log");

  @Option(names = "--uri", required = true, description = "s3://bucket/prefix of the artifact.")
  String uri;

  @Option(
      names = "--digest",
      required = true,
      description = "Expected artifact digest, sha256:<64 hex>.")
  String digest;

  @Option(names = "--to", required = true, description = "Directory to fetch into.")
  Path to;

  @Option(
      names = "--termination-message-path",
      description =
          "Where the outcome's one line goes (default: /dev/termination-log if writable, else"
              + " nowhere).")
  Path terminationMessagePath;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try {
      S3Location location = S3Location.parse(uri, "--uri");
      if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
        throw new InvalidConfigException("--digest: must be sha256:<64 hex>, got '" + digest + "'");
      }
      ArtifactFetch.Outcome outcome;
      try (ObjectStore store = ObjectStore.open(S3Settings.fromEnvironment())) {
        outcome = ArtifactFetch.fetch(store, location, digest, to);
      }
      String line =
          (outcome == ArtifactFetch.Outcome.FETCHED ? "fetched " : "already present: ")
              + location
              + " ("
              + digest
              + ") in "
              + to;
      writeTerminationMessage(line);
      spec.commandLine().getOut().println(line);
      spec.commandLine().getOut().flush();
      return 0;
    } catch (StorageException | InvalidConfigException e) {
      writeTerminationMessage(e.getMessage());
      throw e;
    }
  }

  private void writeTerminationMessage(String line) {
    Path p = terminationMessagePath;
    if (p == null) {
      if (!Files.isWritable(DEFAULT_TERMINATION_LOG)) {
        return;
      }
      p = DEFAULT_TERMINATION_LOG;
    }
    try {
      Files.writeString(p, line + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println(
          "note: could not write the termination message to " + p + ": " + e.getMessage());
    }
  }
}
