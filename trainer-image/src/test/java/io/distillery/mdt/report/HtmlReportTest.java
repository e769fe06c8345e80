package io.distillery.mdt.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.bench.ComparisonReport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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
