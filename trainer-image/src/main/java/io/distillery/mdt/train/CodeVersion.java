package io.distillery.mdt.train;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this mdt, from {@code io/distillery/mdt/version.properties}, which the build fills
 * in with the project version (no git commit: the build does not know one cheaply).
 */
public final class CodeVersion {
  private static final String RESOURCE = "/io/distillery/mdt/version.properties";

  private CodeVersion() {}

  /** E.g. {@code mdt 0.1.0-SNAPSHOT}; {@code mdt unknown} when the resource is missing. */
  public static String get() {
    try (InputStream in = CodeVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "mdt unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      return v.isBlank() || v.contains("${") ? "mdt unknown" : "mdt " + v;
    } catch (IOException e) {
      return "mdt unknown";
    }
  }
}
