package io.distillery.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one version digest of a structure and an appearance stage served together: {@code sha256:}
 * and the hex SHA-256 of the UTF-8 text {@code "structure <S digest>\nappearance <A digest>\n"}. A
 * change of either stage is a new digest. {@code mdt serve --model S --appearance A} reports it and
 * the operator derives it for a StudentDeployment serving the pair, so the pod annotation, the
 * status and the pod's {@code /v1/model} name one version alike.
 */
public final class PairDigest {
  private PairDigest() {}

  public static String of(String structureDigest, String appearanceDigest) {
    String text = "structure " + structureDigest + "\nappearance " + appearanceDigest + "\n";
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
