package io.distillery.mdt.storage;

import io.distillery.mdt.train.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps {@code <output.uri>/checkpoints/...} the remote image of {@code <output.dir>/checkpoints}:
 * each checkpoint is uploaded as soon as it is complete on disk ({@value Checkpoints#SEAL} last, so
 * a remote checkpoint without it is an unfinished upload and is ignored), and deleted remotely
 * ({@value Checkpoints#SEAL} first) when pruned locally. {@link #restore} brings the complete
 * remote checkpoints into a fresh scratch directory, so resuming works exactly as from local ones.
 */
public final class CheckpointMirror implements Checkpoints.Listener {
  static final String DIR = "checkpoints";
  private static final Pattern STEP = Pattern.compile("step-\\d+");

  private final ObjectStore store;
  private final Path outputDir;
  private final S3Location outputUri;

  public CheckpointMirror(ObjectStore store, Path outputDir, S3Location outputUri) {
    this.store = store;
    this.outputDir = outputDir.toAbsolutePath().normalize();
    this.outputUri = outputUri;
  }

  @Override
  public void saved(Path checkpoint) throws IOException {
    store.uploadTree(checkpoint, remoteOf(checkpoint), Checkpoints.SEAL);
  }

  @Override
  public void deleted(Path checkpoint) throws IOException {
    store.deletePrefix(remoteOf(checkpoint), Checkpoints.SEAL);
  }

  @Override
  public void recordWritten(Path file) throws IOException {
    store.upload(file, remoteOf(file));
  }

  @Override
  public void recordDeleted(Path file) throws IOException {
    store.delete(remoteOf(file));
  }

  /**
   * Downloads every complete remote checkpoint that is not on disk yet (each into a temporary
   * sibling, renamed when whole), and the divergence record of a run that diverged, and returns how
   * many checkpoints it downloaded.
   */
  public int restore() throws IOException {
    S3Location root = outputUri.child(DIR);
    Map<String, Set<String>> byCheckpoint = new TreeMap<>();
    for (ObjectStore.RemoteObject o : store.list(root)) {
      int slash = o.name().lastIndexOf('/');
      if (slash < 0) {
        continue;
      }
      String dir = o.name().substring(0, slash);
      if (o.name().endsWith("/" + Checkpoints.DIVERGENCE_RECORD)) {
        // Without it a new pod would resume the checkpoints of a run that diverged.
        store.download(root.child(o.name()), outputDir.resolve(DIR).resolve(o.name()));
        continue;
      }
      byCheckpoint.computeIfAbsent(dir, d -> new TreeSet<>()).add(o.name().substring(slash + 1));
    }
    int restored = 0;
    for (Map.Entry<String, Set<String>> c : byCheckpoint.entrySet()) {
      String dir = c.getKey();
      String name = dir.substring(dir.lastIndexOf('/') + 1);
      if (!STEP.matcher(name).matches() || !c.getValue().contains(Checkpoints.SEAL)) {
        continue; // not a checkpoint, or one whose upload never finished
      }
      Path local = outputDir.resolve(DIR).resolve(dir).normalize();
      if (!local.startsWith(outputDir) || Files.isRegularFile(local.resolve(Checkpoints.SEAL))) {
        continue;
      }
      Path tmp = local.resolveSibling(".download-" + name);
      deleteTree(tmp);
      for (String file : c.getValue()) {
        store.download(root.child(dir + "/" + file), tmp.resolve(file));
      }
      deleteTree(local);
      Files.move(tmp, local, StandardCopyOption.ATOMIC_MOVE);
      restored++;
    }
    return restored;
  }

  private S3Location remoteOf(Path checkpoint) {
    Path rel = outputDir.relativize(checkpoint.toAbsolutePath().normalize());
    return outputUri.child(rel.toString().replace(rel.getFileSystem().getSeparator(), "/"));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }
}
