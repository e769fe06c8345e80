package io.distillery.mdt.inputs;

import io.distillery.config.InvalidConfigException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local copies of a run's object-storage inputs ({@code s3://} teacher, dataset, structure model),
 * downloaded before the run by the command and named here by their URI. The code that reads an
 * input asks {@link #localCopy} for its path, so the URI itself stays what the config, the lineage
 * and the dataset identity record.
 */
public final class RemoteInputs {
  private static final String SCHEME = "s3://";
  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

  private RemoteInputs() {}

  /** Whether {@code uri} names object storage. */
  public static boolean isRemote(String uri) {
    return uri != null && uri.strip().startsWith(SCHEME);
  }

  /** Records that {@code uri} has been downloaded to {@code local}. */
  public static void register(String uri, Path local) {
    COPIES.put(uri.strip(), local);
  }

  /** Forgets {@code uri}'s copy (the run is over). */
  public static void forget(String uri) {
    COPIES.remove(uri.strip());
  }

  /**
   * The local copy of {@code uri}; empty for a URI that is not remote. A remote URI nobody
   * downloaded is one where object storage is not read (e.g. evaluation.features.uri, or a command
   * other than distill and train-teacher): a configuration error (exit code 2).
   */
  public static Optional<Path> localCopy(String uri) {
    if (!isRemote(uri)) {
      return Optional.empty();
    }
    Path local = COPIES.get(uri.strip());
    if (local == null) {
      throw new InvalidConfigException(
          uri
              + ": s3:// URIs are read by mdt distill and mdt train-teacher in teacher.uri,"
              + " dataset.uri and dataset.structureModel only");
    }
    return Optional.of(local);
  }
}
