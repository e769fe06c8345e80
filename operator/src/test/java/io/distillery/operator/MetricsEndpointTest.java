package io.distillery.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.testing.fixtures.PrometheusText;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /q/metrics} as production serves it: the Prometheus text format unless OpenMetrics is
 * asked for, readable by a strict parser, and JOSDK's reconcile time (recorded here through the
 * application's own JOSDK {@link Metrics} bean) a histogram with help text and no resource name.
 */
@QuarkusTest
class MetricsEndpointTest {
  @Inject Metrics metrics;

  @TestHTTPResource("/q/metrics")
  URI endpoint;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesTheTextFormatByDefaultAndOpenMetricsOnlyWhenAsked() throws Exception {
    reconcileOnce("one");
    reconcileOnce("two");

    for (String accept : new String[] {null, "*/*", "text/plain"}) {
      HttpResponse<String> text = get(accept);
      assertThat(text.headers().firstValue("Content-Type").orElseThrow())
          .as("Accept: %s", accept)
          .startsWith("text/plain; version=0.0.4");
      Files.writeString(Path.of("target", "metrics-endpoint-test.txt"), text.body());
      PrometheusText.Scrape scrape = PrometheusText.parse(text.body());
      String reconcileTime = "operator_sdk_controllers_execution_reconcile_seconds";
      assertThat(scrape.types()).containsEntry(reconcileTime, "histogram");
      assertThat(scrape.help().get(reconcileTime)).isNotBlank();
      assertThat(scrape.help())
          .as("the operator's own families have help text")
          .allSatisfy(
              (family, help) -> {
                if (family.startsWith("operator_sdk_") || family.startsWith("distillery_")) {
                  assertThat(help).as(family).isNotBlank();
                }
              });
      assertThat(scrape.family(reconcileTime))
          .isNotEmpty()
          .allSatisfy(
              s ->
                  assertThat(s.labels())
                      .doesNotContainKeys("quantile", "resource_name", "resource_namespace")
                      .containsEntry("controller", "metrics-endpoint-test"));
      assertThat(text.body())
          .contains(
              "operator_sdk_controllers_execution_reconcile_seconds_count{"
                  + "controller=\"metrics-endpoint-test\",resource_scope=\"namespace\",} 2.0");
    }

    // Quarkus's route matches OpenMetrics only with these exact parameters.
    HttpResponse<String> openMetrics =
        get("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(openMetrics.statusCode()).as(openMetrics.body()).isEqualTo(200);
    assertThat(openMetrics.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(openMetrics.body()).endsWith("# EOF\n");
  }

  @Test
  void promtoolFindsNothingWrongInTheScrape() throws Exception {
    Path text = Path.of("target", "metrics-endpoint-promtool.txt");
    Files.writeString(text, get(null).body());
    var check = io.distillery.operator.testing.harnesses.Tools.checkMetrics(text);
    assertThat(check.output().strip()).as("promtool check metrics").isEmpty();
    assertThat(check.exitCode()).isZero();
  }

  private void reconcileOnce(String name) throws Exception {
    metrics.timeControllerExecution(
        new Metrics.ControllerExecution<String>() {
          @Override
          public String name() {
            return "reconcile";
          }

          @Override
          public String controllerName() {
            return "metrics-endpoint-test";
          }

          @Override
          public String successTypeName(String result) {
            return result;
          }

          @Override
          public ResourceID resourceID() {
            return new ResourceID(name, "ns");
          }

          @Override
          public Map<String, Object> metadata() {
            return Map.of();
          }

          @Override
          public String execute() {
            return "resource";
          }
        });
  }

  private HttpResponse<String> get(String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint);
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
