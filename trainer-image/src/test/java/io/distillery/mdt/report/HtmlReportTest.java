package io.distillery.mdt.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.bench.Claim;
import io.distillery.mdt.bench.ComparisonReport;
import io.distillery.mdt.bench.Estimate;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  @TempDir Path dir;

  private static ComparisonReport report() {
    ComparisonReport r = new ComparisonReport();
    r.machine = "2 CPU cores <test>";
    r.date = "2026-11-27T10:00:00Z";
    r.seed = 7;
    r.samples = 128;
    r.reference.fdRefVsRef = 2.3;
    r.reference.occupancy = 0.12;
    for (String[] m : new String[][] {{"teacher", "25"}, {"cm", "1"}, {"mdt", "1"}}) {
      ComparisonReport.Row row = new ComparisonReport.Row();
      row.method = m[0];
      row.steps = Integer.parseInt(m[1]);
      row.nfe = 2 * row.steps;
      row.fd = 40.5;
      row.classAccuracy = 0.445;
      row.latencyMsBatch1 = 12.5;
      row.throughputPerSec = 80;
      row.speedup = 1;
      row.speedupBatch32 = 1;
      r.rows.add(row);
    }
    return r;
  }

  private void png(String name, int w, int h) throws Exception {
    ImageIO.write(
        new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", dir.resolve(name).toFile());
  }

  @Test
  void selfContainedPageWithTheTableAndEveryPictureEmbedded() throws Exception {
    png("samples.png", 40, 30);
    png("loss-mdt.png", 20, 10);
    png("loss-cm.png", 20, 10);
    ComparisonReport report = report();
    report.writeMarkdown(dir.resolve("report.md"), "Distillery comparison", null);
    Path file = HtmlReport.write(dir, report, "Distillery demo", "mdt demo --demo-out x");
    assertThat(file).isEqualTo(dir.resolve("report.html"));
    String html = Files.readString(file);

    // The table: header cells from the report's markdown, one body row per model.
    assertThat(html).contains("<table>", "<th>model</th>", "<th>FD</th>", "<th>class acc.</th>");
    assertThat(html).contains("<tr><td>teacher</td><td>25</td>", "<tr><td>mdt</td><td>1</td>");
    assertThat(html).contains("<td>44.5%</td>").doesNotContain("|---");
    assertThat(html).contains("Floor: FD between two halves");
    // report.md's tables without its own title and meta lines: one title, machine shown once.
    assertThat(html.split("<h1>", -1)).hasSize(2);
    assertThat(html).doesNotContain("Distillery comparison", "Machine: ");
    // Machine, date and command, escaped.
    assertThat(html)
        .contains(
            "2 CPU cores &lt;test&gt;",
            "2026-11-27T10:00:00Z",
            "<code>mdt demo --demo-out x</code>");

    // Three pictures, each a data: URI decoding to the PNG beside the report.
    Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    int images = 0;
    while (m.find()) {
      byte[] bytes = Base64.getDecoder().decode(m.group(1));
      assertThat(ImageIO.read(new java.io.ByteArrayInputStream(bytes))).isNotNull();
      images++;
    }
    assertThat(images).isEqualTo(3);
    assertThat(html.indexOf("alt=\"samples.png\"")).isPositive();
    assertThat(html.indexOf("alt=\"loss-cm.png\""))
        .isLessThan(html.indexOf("alt=\"loss-mdt.png\""));

    // Nothing from the network, nothing executable, no reference to another file.
    assertThat(html.toLowerCase())
        .doesNotContain("http:", "https:", "<script", "<link", "@import", "url(");
    assertThat(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find()).isFalse();
  }

  @Test
  void theVerdictOnTopThenTheWholeReportWithIntervalsPerClassAccuracyAndClaims() throws Exception {
    ComparisonReport r = report();
    r.trainingSeeds = List.of(7L);
    r.evalSeeds = List.of(7L, 1000007L);
    r.classNames = List.of("sphere", "torus");
    for (ComparisonReport.Row row : r.rows) {
      row.ci = Map.of("fd", new Estimate(40.5, 38.2, 43.8));
      row.perClassAccuracy =
          Map.of("sphere", new Estimate(0.91, 0.83, 0.97), "torus", new Estimate(0.5, 0.4, 0.6));
    }
    Claim met =
        Claim.of("MDT 1 step FD below CM 1 step", Claim.Kind.FD_RATIO_BELOW, "mdt 1", "cm 1", 1);
    met.estimate = new Estimate(0.8, 0.7, 0.9);
    met.verdict = Claim.MET;
    Claim open =
        Claim.of(
            "MDT 1 step class accuracy within 5 points of teacher 25 steps",
            Claim.Kind.ACCURACY_DIFFERENCE_ABOVE,
            "mdt 1",
            "teacher 25",
            -0.05);
    open.estimate = new Estimate(-0.03, -0.08, 0.01);
    open.verdict = Claim.NOT_SEPARATED;
    r.claims.addAll(List.of(met, open));
    // A report.md left over from another run is not what the page shows.
    Files.writeString(dir.resolve("report.md"), "# Old\n\n| model |\n|---|\n| stale-row |\n");

    String html = HtmlReport.html(dir, r, "Distillery demo", null);

    // The one-screen verdict, escaped, before everything else.
    int verdict = html.indexOf("<pre class=\"verdict\">Verdict (95% intervals");
    assertThat(verdict).isPositive().isLessThan(html.indexOf("<dl class=\"meta\">"));
    assertThat(verdict).isLessThan(html.indexOf("<h2>Comparison</h2>"));
    assertThat(html)
        .contains("[met]           MDT 1 step FD below CM 1 step: FD(mdt 1) / FD(cm 1) = 0.80")
        .contains("[not separated] MDT 1 step class accuracy within 5 points")
        .contains("1 met, 0 not met, 1 not separated. 1 training seed(s) x 2 evaluation seed(s)");
    // The whole report.markdown(): the main table with intervals, per-class accuracy, the claims.
    assertThat(html).contains("<td>40.5 [38.2, 43.8]</td>", "Mean [95% interval]: 1 training");
    assertThat(html)
        .contains("Class accuracy per class", "<th>sphere</th><th>torus</th>")
        .contains("<td>91 [83, 97]</td><td>50 [40, 60]</td>");
    assertThat(html)
        .contains("<th>claim</th><th>statistic</th>")
        .contains("<td>MDT 1 step FD below CM 1 step</td>", "<td><strong>met</strong></td>")
        .contains("<td><strong>not separated</strong></td>", "<td>-3.0 [-8.0, +1.0] points</td>");
    assertThat(html).doesNotContain("stale-row");
    assertThat(html.toLowerCase())
        .doesNotContain("http:", "https:", "<script", "<link", "@import", "url(");
    assertThat(Pattern.compile("(src|href)=\"(?!data:)").matcher(html).find()).isFalse();
  }

  @Test
  void withoutPicturesThePageStillHasTheTable() throws Exception {
    ComparisonReport r = report();
    r.reference.fdRefVsRef = null;
    String html = HtmlReport.html(dir, r, "t", null);
    assertThat(html).contains("<table>").doesNotContain("<img", "Command");
    assertThat(html).contains("speed figures only");
  }

  @Test
  void markdownSubset() {
    assertThat(HtmlReport.markdown("# T\n\nA  \nB `c` **d**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
        .isEqualTo(
            "<h1>T</h1>\n<p>A<br>\nB <code>c</code> <strong>d</strong></p>\n"
                + "<table>\n<thead>\n<tr><th>a</th><th>b</th></tr>\n</thead>\n<tbody>\n"
                + "<tr><td>1</td><td>2</td></tr>\n</tbody>\n</table>\n");
  }
}
