package io.distillery.mdt.artifact;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run as its own process by ArtifactTest: starts staging an artifact, prints the staging folder and
 * waits to be killed, as a training killed mid-write would.
 */
public final class StagingHolder {
  private StagingHolder() {}

  public static void main(String[] args) throws Exception {
    ArtifactWriter w = ArtifactWriter.create(Path.of(args[0]));
    Path staged = w.path("weights.params");
    Files.write(staged, new byte[4096]);
    System.out.println("staged " + staged.getParent());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
