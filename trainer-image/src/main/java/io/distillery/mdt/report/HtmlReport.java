package io.distillery.mdt.report;

import io.distillery.mdt.bench.ComparisonReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code report.html}: one self-contained page a person can open or mail: the one-screen verdict
 * ({@link ComparisonReport#verdictText()}) at the top, machine, date and command, the whole
 * comparison ({@link ComparisonReport#markdown()}: the main table with its intervals, density /
 * coverage / MMD / COV, per-class accuracy and the claims), {@code samples.png} and the loss plots
 * ({@code loss-*.png}) of the same directory. Pictures are embedded as {@code data:} URIs and the
 * style is inline; the page loads nothing (no scripts, fonts or stylesheets from anywhere).
 *
 * <p>The tables come from the report itself, not from a {@code report.md} on disk (which could be
 * left from another run), converted generically, so whatever columns, tables and notes the report
 * carries appear here too.
 */
public final class HtmlReport {
  public static final String FILE = "report.html";
  public static final String SAMPLES = "samples.png";

  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
        margin:2rem auto;max-width:1900px;padding:0 1.5rem;color:#222;background:#fafaf7}
      h1{font-size:1.6rem;margin-bottom:.3rem}
      h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
      dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;color:#444}
      dl.meta dt{font-weight:600}dl.meta dd{margin:0}
      code{background:#eee;padding:0 .25rem;border-radius:3px}
      table{border-collapse:collapse;margin:.8rem 0;background:#fff}
      th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right;white-space:nowrap}
      th{background:#eef1f5}td:first-child,th:first-child{text-align:left}
      tbody tr:nth-child(even){background:#f7f7f4}
      img{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}
      figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem;margin-top:.3rem}
      .plots{display:flex;flex-wrap:wrap;gap:1rem}.plots figure{flex:1 1 600px}
      pre.verdict{background:#fff;border:1px solid #ddd;border-left:4px solid #4a6fa5;
        padding:.6rem .9rem;overflow-x:auto;font-size:.9rem;line-height:1.4}
      """;

  private HtmlReport() {}

  /**
   * Writes {@code dir/report.html} for {@code report}, embedding the pictures found in {@code dir}.
   *
   * @param command the command line that made the report (null: not shown)
   * @return the file written
   */
  public static Path write(Path dir, ComparisonReport report, String title, String command)
      throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    Files.writeString(file, html(dir, report, title, command));
    return file;
  }

  /** The page's text (see {@link #write}). */
  public static String html(Path dir, ComparisonReport report, String title, String command)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(escape(title))
        .append("</title>\n<style>\n")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(escape(title))
        .append("</h1>\n<pre class=\"verdict\">")
        .append(escape(report.verdictText()))
        .append("</pre>\n<dl class=\"meta\">\n");
    meta(sb, "Machine", report.machine);
    meta(sb, "Date", report.date);
    if (command != null) {
      sb.append("<dt>Command</dt><dd><code>").append(escape(command)).append("</code></dd>\n");
    }
    sb.append("</dl>\n\n<h2>Comparison</h2>\n").append(markdown(report.markdown()));

    Path samples = dir.resolve(SAMPLES);
    if (Files.isRegularFile(samples)) {
      sb.append("\n<h2>Samples</h2>\n");
      figure(
          sb,
          samples,
          "Rows: model and sampling steps. Columns: class; a column starts from the same noise and"
              + " condition in every row.");
    }
    List<Path> losses = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files
          .filter(p -> p.getFileName().toString().matches("loss-.+\\.png"))
          .sorted()
          .forEach(losses::add);
    }
    if (!losses.isEmpty()) {
      sb.append("\n<h2>Training losses</h2>\n<div class=\"plots\">\n");
      for (Path p : losses) {
        String name = p.getFileName().toString();
        figure(sb, p, "Distillation losses: " + name.substring(5, name.length() - 4));
      }
      sb.append("</div>\n");
    }
    sb.append(
        "\n<p>Beside this page: <code>report.json</code>, <code>report.md</code>,"
            + " <code>meshes/</code> (PLY and OBJ).</p>\n</body>\n</html>\n");
    return sb.toString();
  }

  private static void meta(StringBuilder sb, String name, String value) {
    if (value != null) {
      sb.append("<dt>")
          .append(escape(name))
          .append("</dt><dd>")
          .append(escape(value))
          .append("</dd>\n");
    }
  }

  private static void figure(StringBuilder sb, Path png, String caption) throws IOException {
    sb.append("<figure><img alt=\"")
        .append(escape(png.getFileName().toString()))
        .append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png)))
        .append("\"><figcaption>")
        .append(escape(caption))
        .append("</figcaption></figure>\n");
  }

  /**
   * The subset of markdown the reports use, as HTML: {@code #} headings, pipe tables (first line
   * the header, the {@code |---|} line skipped), paragraphs separated by blank lines, hard line
   * breaks (two trailing spaces), {@code `code`} and {@code **bold**}.
   */
  static String markdown(String md) {
    StringBuilder out = new StringBuilder();
    List<String> table = new ArrayList<>();
    List<String> paragraph = new ArrayList<>();
    for (String line : (md + "\n").split("\n", -1)) {
      if (line.trim().startsWith("|")) {
        flushParagraph(out, paragraph);
        table.add(line.trim());
        continue;
      }
      flushTable(out, table);
      if (line.isBlank()) {
        flushParagraph(out, paragraph);
      } else if (line.startsWith("#")) {
        flushParagraph(out, paragraph);
        int level = Math.min(6, line.length() - line.replaceFirst("^#+", "").length());
        out.append("<h")
            .append(level)
            .append('>')
            .append(inline(line.substring(level).trim()))
            .append("</h")
            .append(level)
            .append(">\n");
      } else {
        paragraph.add(line);
      }
    }
    flushTable(out, table);
    flushParagraph(out, paragraph);
    return out.toString();
  }

  private static void flushParagraph(StringBuilder out, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    out.append("<p>");
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      boolean hardBreak = l.endsWith("  ") && i < lines.size() - 1;
      out.append(inline(l.strip()));
      out.append(hardBreak ? "<br>\n" : i < lines.size() - 1 ? "\n" : "");
    }
    out.append("</p>\n");
    lines.clear();
  }

  private static void flushTable(StringBuilder out, List<String> rows) {
    if (rows.isEmpty()) {
      return;
    }
    out.append("<table>\n");
    boolean header = true;
    for (String row : rows) {
      List<String> cells = cells(row);
      if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
        continue;
      }
      String tag = header ? "th" : "td";
      out.append(header ? "<thead>\n<tr>" : "<tr>");
      for (String c : cells) {
        out.append('<').append(tag).append('>').append(inline(c)).append("</").append(tag);
        out.append('>');
      }
      out.append(header ? "</tr>\n</thead>\n<tbody>\n" : "</tr>\n");
      header = false;
    }
    out.append(header ? "" : "</tbody>\n").append("</table>\n");
    rows.clear();
  }

  private static List<String> cells(String row) {
    String r = row.trim();
    if (r.startsWith("|")) {
      r = r.substring(1);
    }
    if (r.endsWith("|")) {
      r = r.substring(0, r.length() - 1);
    }
    List<String> cells = new ArrayList<>();
    for (String c : r.split("\\|", -1)) {
      cells.add(c.trim());
    }
    return cells;
  }

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");

  private static String inline(String text) {
    String s = escape(text);
    s =
        CODE.matcher(s)
            .replaceAll(m -> Matcher.quoteReplacement("<code>" + m.group(1) + "</code>"));
    s =
        BOLD.matcher(s)
            .replaceAll(m -> Matcher.quoteReplacement("<strong>" + m.group(1) + "</strong>"));
    return s;
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
