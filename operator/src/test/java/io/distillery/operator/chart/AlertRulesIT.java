package io.distillery.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.RenderedChart;
import io.distillery.operator.testing.harnesses.Tools;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules (charts/distillery/alerts) with the real promtool: they load, their unit tests
 * pass (each alert fires when it should and stays quiet otherwise), every alert has a runbook,
 * every metric they name is one the project documents, and the chart ships exactly them.
 */
class AlertRulesIT {
  static final Path ALERTS = Binaries.chart().resolve("alerts");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void rulesLoadAndTheirUnitTestsPass() {
    var check = Tools.promtool(ALERTS, "check", "rules", "distillery.rules.yaml");
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    var test = Tools.promtool(ALERTS, "test", "rules", "distillery.rules.test.yaml");
    assertThat(test.exitCode()).as(test.output()).isZero();
  }

  @Test
  void everyAlertIsUnitTestedAndHasARunbook() throws IOException {
    String tests = Files.readString(ALERTS.resolve("distillery.rules.test.yaml"));
    String runbooks = Files.readString(ControlPlane.repo().resolve("docs/alerts.md"));
    for (String alert : alerts()) {
      assertThat(tests).as("a promtool test of %s", alert).contains("alertname: " + alert);
      assertThat(runbooks).as("docs/alerts.md runbook for %s", alert).contains("## " + alert);
    }
  }

  @Test
  void rulesNameOnlyDocumentedMetrics() throws IOException {
    String rules = Files.readString(ALERTS.resolve("distillery.rules.yaml"));
    String exprs = String.join("\n", exprs(YAML.readTree(rules)));
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\b((?:distillery|mdt|operator_sdk)_[a-z_]+)").matcher(exprs);
    while (m.find()) {
      used.add(ChartIT.baseName(m.group(1)));
    }
    String readme = Files.readString(ControlPlane.repo().resolve("README.md"));
    assertThat(used).isNotEmpty();
    assertThat(used.stream().filter(name -> !readme.contains("`" + name + "`")).toList())
        .as("alerting-rule metrics missing from the README's metrics table")
        .isEmpty();
  }

  @Test
  void theChartShipsTheSameRulesAndScrapesTheLabelsTheyGroupBy() throws IOException {
    var rendered =
        RenderedChart.render(
            "distillery",
            "distillery-system",
            "--set",
            "alerts.enabled=true",
            "--set",
            "metrics.podMonitor.enabled=true");
    GenericKubernetesResource rule = rendered.ofKind("PrometheusRule").get(0);
    JsonNode shipped = new ObjectMapper().valueToTree(rule.getAdditionalProperties().get("spec"));
    JsonNode file = YAML.readTree(ALERTS.resolve("distillery.rules.yaml").toFile());
    assertThat(shipped).isEqualTo(file);

    GenericKubernetesResource monitor = rendered.ofKind("PodMonitor").get(0);
    String spec = new ObjectMapper().writeValueAsString(monitor.getAdditionalProperties());
    assertThat(spec).contains("\"targetLabel\":\"student_deployment\"");
    assertThat(RenderedChart.render("distillery", "distillery-system").ofKind("PrometheusRule"))
        .as("off by default (needs the prometheus-operator's CRDs)")
        .isEmpty();
  }

  private static List<String> alerts() {
    try {
      List<String> names = new ArrayList<>();
      for (JsonNode group :
          YAML.readTree(ALERTS.resolve("distillery.rules.yaml").toFile()).get("groups")) {
        group.get("rules").forEach(r -> names.add(r.get("alert").asText()));
      }
      return names;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> exprs(JsonNode rules) {
    List<String> out = new ArrayList<>();
    rules.get("groups").forEach(g -> g.get("rules").forEach(r -> out.add(r.get("expr").asText())));
    return out;
  }
}
