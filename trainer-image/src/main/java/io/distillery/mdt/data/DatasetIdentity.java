package io.distillery.mdt.data;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.Digests;
import io.distillery.mdt.inputs.RemoteInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What a run trained on, as recorded in an artifact's lineage: the configured URI, a digest and how
 * the digest was made ({@link #how}).
 *
 * <ul>
 *   <li>{@code builtin:shapes}: {@value #BUILTIN}, SHA-256 of the generator's settings (stage,
 *       resolution, seed, sample counts); the generator itself is pinned by the code version.
 *   <li>a file: {@value #FILE}, SHA-256 of its bytes.
 *   <li>a directory: {@value #LISTING}, SHA-256 of the lines {@code "<path> <size> <sha256>\n"} of
 *       every regular file under it (paths relative, '/'-separated, sorted), so a renamed, added or
 *       changed shard changes it.
 *   <li>{@code dataset.structureModel}: {@value #ARTIFACT}, the structure model's artifact digest.
 * </ul>
 */
public record DatasetIdentity(String uri, String digest, String how) {
  public static final String BUILTIN = "builtin";
  public static final String FILE = "sha256 of file";
  public static final String LISTING = "sha256 of listing";
  public static final String ARTIFACT = "artifact digest";

  /** The identity of config {@code dataset} as {@code cfg}'s stage reads it. */
  public static DatasetIdentity of(TrainerConfig cfg) throws IOException {
    TrainerConfig.Dataset d = cfg.dataset;
    if (d.structureModel != null && cfg.stage == TrainerConfig.Stage.APPEARANCE) {
      String model = d.structureModel.strip();
      Path dir = RemoteInputs.localCopy(model).orElse(Path.of(model));
      return new DatasetIdentity(model, Artifact.open(dir).digest(), ARTIFACT);
    }
    String uri = d.uri == null ? "" : d.uri.strip();
    if (DatasetLoader.BUILTIN_SHAPES.equals(uri)) {
      String settings =
          String.format(
              Locale.ROOT,
              "%s stage=%s resolution=%d seed=%d trainSamples=%d heldOutSamples=%d",
              uri,
              cfg.stage.name().toLowerCase(Locale.ROOT),
              d.resolution,
              d.seed,
              d.trainSamples,
              d.heldOutSamples);
      return new DatasetIdentity(uri, sha256(settings), BUILTIN);
    }
    Path location = DatasetLoader.toPath(uri);
    try {
      if (Files.isDirectory(location)) {
        return new DatasetIdentity(uri, sha256(listing(location)), LISTING);
      }
      return new DatasetIdentity(uri, "sha256:" + Digests.ofFile(location), FILE);
    } catch (IOException e) {
      throw new DatasetException(location, "could not be read to digest it: " + e.getMessage());
    }
  }

  /** One line {@code "<path> <size> <sha256>"} per regular file under {@code dir}, sorted. */
  static String listing(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> all = Files.walk(dir)) {
      files = all.filter(Files::isRegularFile).toList();
    }
    StringBuilder sb = new StringBuilder();
    List<String> lines = new java.util.ArrayList<>();
    for (Path f : files) {
      String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
      lines.add(rel + " " + Files.size(f) + " " + Digests.ofFile(f) + "\n");
    }
    lines.stream().sorted().forEach(sb::append);
    return sb.toString();
  }

  private static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return "sha256:" + HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
