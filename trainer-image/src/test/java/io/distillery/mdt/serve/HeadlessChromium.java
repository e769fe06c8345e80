package io.distillery.mdt.serve;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium and ChromeDriver (pinned in hack/tool-versions.env, unpacked into the cache by
 * hack/install-tools.sh with the libraries this machine lacks), headless, WebGL on SwiftShader
 * (software rendering, no GPU), driven through Selenium. Never downloads a driver.
 */
final class HeadlessChromium {
  private HeadlessChromium() {}

  static ChromeDriver start() throws Exception {
    Path dir = installed();
    Path libs = dir.resolve("usr/lib/x86_64-linux-gnu");
    Map<String, String> env = Map.of("LD_LIBRARY_PATH", libs + ":" + libs.resolve("pulseaudio"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(dir.resolve("usr/lib/chromium/chromedriver").toFile())
            .usingAnyFreePort()
            .withEnvironment(env)
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(dir.resolve("usr/lib/chromium/chromium").toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--window-size=1000,700");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(service, options);
  }

  private static Path installed() throws Exception {
    Path repo = Path.of(Objects.requireNonNull(System.getProperty("distillery.repo"), "repo"));
    Process p =
        new ProcessBuilder(
                List.of(repo.resolve("hack/install-tools.sh").toString(), "--print", "chromium"))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("hack/install-tools.sh --print chromium failed: " + out);
    }
    File dir = new File(out.lines().reduce((a, b) -> b).orElse(""));
    if (!dir.isDirectory()) {
      throw new IllegalStateException("no Chromium at " + dir);
    }
    return dir.toPath();
  }
}
