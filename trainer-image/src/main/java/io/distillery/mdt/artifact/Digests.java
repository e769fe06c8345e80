package io.distillery.mdt.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/** SHA-256 helpers shared by the writer and the reader. */
public final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  public static String ofFile(Path file) throws IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * The artifact digest: SHA-256 of the lines {@code "<sha256> <path>\n"} sorted by path, which is
   * what {@code sha256sum} prints for the files in that order, so it can be checked with shell
   * tools.
   */
  static String ofListing(SortedMap<String, String> sha256ByPath) {
    StringBuilder listing = new StringBuilder();
    for (Map.Entry<String, String> e : sha256ByPath.entrySet()) {
      listing.append(e.getValue()).append("  ").append(e.getKey()).append('\n');
    }
    byte[] hash = sha256().digest(listing.toString().getBytes(StandardCharsets.UTF_8));
    return "sha256:" + HexFormat.of().formatHex(hash);
  }
}
