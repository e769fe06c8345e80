package io.distillery.mdt.serve;

import java.nio.file.Path;
import java.util.Map;
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
    Path dir = io.distillery.mdt.render.InstalledTools.dir("chromium");
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
}
