package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.TinyPipelines;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The viewer page `mdt serve` answers at {@code /}, in a real headless Chromium: it loads without
 * console errors, Generate draws a shape (the canvas changes, checked on screenshots), the request
 * is counted in /metrics, and a bad request shows the server's message on the page.
 */
class ViewerPageTest {
  @TempDir static Path tmp;
  static GenerationServer server;
  static Http http;
  static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    server =
        GenerationServer.start(TinyModels.teacher(tmp.resolve("t"), 4), ServeOptions.loopback());
    http = new Http(server.baseUri());
    browser = HeadlessChromium.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void generateShowsAShapeWithItsLatencyAndDigestAndCountsTheRequest() throws Exception {
    browser.get(server.baseUri().resolve("/").toString());
    awaitState("ready");
    assertThat(severe()).as("console errors while loading").isEmpty();
    assertThat(browser.findElement(By.id("digest")).getText()).isEqualTo(server.model().digest());
    assertThat(browser.findElements(By.cssSelector("#class option"))).hasSize(8);

    WebElement canvas = browser.findElement(By.id("canvas"));
    BufferedImage before = screenshot(canvas);
    double okBefore = okRequests();
    browser.findElement(By.id("generate")).click();
    awaitState("shown");

    assertThat(severe()).as("console errors while generating").isEmpty();
    assertThat(browser.findElement(By.id("latency")).getText()).matches("\\d+ ms");
    assertThat(changedShare(before, screenshot(canvas)))
        .as("share of canvas pixels the shape changed")
        .isGreaterThan(0.01);
    assertThat(okRequests()).isEqualTo(okBefore + 1);
  }

  @Test
  void aRefusedRequestShowsTheServersMessage() {
    browser.get(server.baseUri().resolve("/").toString());
    awaitState("ready");
    // A step count the server refuses (the select offers only allowed ones; a stale page may not).
    ((JavascriptExecutor) browser)
        .executeScript(
            "const s = document.getElementById('steps'); s.add(new Option('99', '99')); s.value = '99';");
    browser.findElement(By.id("generate")).click();
    awaitState("error");
    assertThat(browser.findElement(By.id("error")).getText()).startsWith("400: ").contains("steps");
    assertThat(browser.findElement(By.id("generate")).isEnabled()).isTrue();
  }

  /**
   * A pipeline's GLB is drawn in its vertex colours (three.js's GLTFLoader turns vertexColors on
   * for COLOR_0): the canvas gets saturated pixels, which the grey material of one model and the
   * light background never have.
   */
  @Test
  void aPipelineShapeIsDrawnInItsColours() throws Exception {
    Path structure = TinyPipelines.structure(tmp.resolve("ps"), 1).dir();
    Path appearance = TinyPipelines.appearance(tmp.resolve("pa"), 2).dir();
    Path pipe = Pipelines.write(tmp.resolve("pipe"), structure, appearance, 0).dir();
    try (GenerationServer p = GenerationServer.start(pipe, ServeOptions.loopback())) {
      Http h = new Http(p.baseUri());
      long seed = 0;
      while (Http.json(h.generate("{\"class\":\"a\",\"seed\":" + seed + ",\"format\":\"voxels\"}"))
              .path("emptySamples")
              .asInt()
          > 0) {
        seed++;
      }
      browser.get(p.baseUri().resolve("/").toString());
      awaitState("ready");
      ((JavascriptExecutor) browser)
          .executeScript("document.getElementById('seed').value = arguments[0];", seed);
      WebElement canvas = browser.findElement(By.id("canvas"));
      assertThat(saturatedShare(screenshot(canvas))).as("before Generate").isZero();
      browser.findElement(By.id("generate")).click();
      awaitState("shown");
      assertThat(severe()).as("console errors while generating").isEmpty();
      assertThat(saturatedShare(screenshot(canvas)))
          .as("share of canvas pixels in saturated colours")
          .isGreaterThan(0.002);
    }
  }

  /** Pixels whose channels differ by more than 48 of 255: coloured, not grey. */
  private static double saturatedShare(BufferedImage img) {
    long n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int r = rgb >> 16 & 0xFF;
        int g = rgb >> 8 & 0xFF;
        int b = rgb & 0xFF;
        n += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 48 ? 1 : 0;
      }
    }
    return n / (double) (img.getWidth() * img.getHeight());
  }

  private static void awaitState(String state) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Object now = null;
    while (System.nanoTime() < deadline) {
      now = ((JavascriptExecutor) browser).executeScript("return document.body.dataset.state");
      if (state.equals(now)) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError(
        "page state "
            + now
            + ", not "
            + state
            + "; console: "
            + browser.manage().logs().get(LogType.BROWSER).getAll());
  }

  private static List<String> severe() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  private static BufferedImage screenshot(WebElement element) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
  }

  private static double changedShare(BufferedImage a, BufferedImage b) {
    int w = Math.min(a.getWidth(), b.getWidth());
    int h = Math.min(a.getHeight(), b.getHeight());
    long changed = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          changed++;
        }
      }
    }
    return changed / (double) (w * h);
  }

  private static double okRequests() throws Exception {
    Matcher m =
        Pattern.compile("(?m)^mdt_serve_requests_total\\{outcome=\"ok\",traffic=\"user\"} (\\S+)$")
            .matcher(Http.text(http.get("/metrics")));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
