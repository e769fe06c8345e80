package io.distillery.mdt.cli;

import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.storage.ArtifactPush;
import io.distillery.mdt.storage.ObjectStore;
import io.distillery.mdt.storage.S3Location;
import io.distillery.mdt.storage.S3Settings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mdt push}: a verified local artifact into object storage, manifest last. */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Verify the artifact in --model (its manifest and digest) and upload it under --to"
          + " (s3://bucket/prefix): every file first, manifest.json last, so a reader never takes"
          + " a half-uploaded prefix for an artifact. A prefix that already holds this artifact is"
          + " left as it is; one holding another artifact is refused. Prints the URI and digest to"
          + " put in a teacher's uri or a StudentDeployment's modelUri and digest.",
      "Connection: the same environment as mdt fetch (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,"
          + " AWS_REGION, AWS_ENDPOINT_URL_S3, DISTILLERY_S3_PATH_STYLE).",
      "Exit codes: 0 ok, 2 bad options or a prefix holding another artifact, 3 invalid input (not"
          + " a verified artifact, no such bucket, wrong credentials, access denied), 6 object"
          + " storage unreachable."
    })
public final class PushCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Artifact directory to upload.")
  Path model;

  @Option(names = "--to", required = true, description = "s3://bucket/prefix to upload it to.")
  String to;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    S3Location location = S3Location.parse(to, "--to");
    ArtifactPush.Outcome outcome;
    try (ObjectStore store = ObjectStore.open(S3Settings.fromEnvironment())) {
      outcome = ArtifactPush.push(store, model, location);
    }
    String digest = Artifact.open(model).digest();
    spec.commandLine()
        .getOut()
        .println(
            (outcome == ArtifactPush.Outcome.PUSHED ? "pushed " : "already present: ")
                + location
                + " "
                + digest);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
