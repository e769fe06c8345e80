package io.distillery.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.operator.distillation.DistillationMetrics;
import io.distillery.operator.serving.StudentMetrics;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.RenderedChart;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * charts/distillery with the real helm binary: lint, render, the values schema refusing bad values
 * with its message, the chart's CRDs equal to crds/, the Deployment's hardening and settings, and
 * the dashboard naming only metrics the project exports.
 */
class ChartIT {
  static final Path REPO = ControlPlane.repo();

  @Test
  void lintPassesStrictly() {
    var lint = Binaries.helm(null, "lint", "--strict", Binaries.chart().toString());
    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.output()).contains("0 chart(s) failed");
  }

  @Test
  void chartCrdsAreTheRepositoryCrds() throws IOException {
    Path repoCrds = REPO.resolve("crds");
    Path chartCrds = Binaries.chart().resolve("crds");
    assertThat(names(chartCrds))
        .as("charts/distillery/crds must hold exactly the files of crds/; copy them over")
        .isEqualTo(names(repoCrds));
    for (String name : names(repoCrds)) {
      assertThat(Files.readString(chartCrds.resolve(name)))
          .as(
              "charts/distillery/crds/%s differs from crds/%s; copy crds/ into the chart",
              name, name)
          .isEqualTo(Files.readString(repoCrds.resolve(name)));
    }
  }

  @Test
  void defaultRenderIsClusterWideWithAHardenedDeployment() {
    RenderedChart chart = RenderedChart.render("distillery", "distillery-system");
    assertThat(chart.ofKind("ClusterRole")).hasSize(1);
    assertThat(chart.ofKind("ClusterRoleBinding")).hasSize(1);
    // Only the leader-election Role, in the release namespace.
    assertThat(chart.ofKind("Role"))
        .singleElement()
        .satisfies(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("distillery-system"))
        .satisfies(
            r ->
                assertThat(RenderedChart.rules(r))
                    .singleElement()
                    .satisfies(
                        rule -> {
                          assertThat(rule.get("apiGroups"))
                              .isEqualTo(List.of("coordination.k8s.io"));
                          assertThat(rule.get("resources")).isEqualTo(List.of("leases"));
                        }));
    assertThat(chart.ofKind("ServiceMonitor")).isEmpty();
    assertThat(chart.only("Service").<Integer>get("spec", "ports", 0, "port")).isEqualTo(8080);

    GenericKubernetesResource deployment = chart.only("Deployment");
    Map<String, Object> pod = deployment.get("spec", "template", "spec");
    assertThat(pod.get("serviceAccountName")).isEqualTo("distillery");
    assertThat(
            deployment.<Boolean>get("spec", "template", "spec", "securityContext", "runAsNonRoot"))
        .isTrue();
    Map<String, Object> container = deployment.get("spec", "template", "spec", "containers", 0);
    assertThat(container.get("image")).isEqualTo("ghcr.io/distillery/operator:0.1.0");
    assertThat(container.get("imagePullPolicy")).isEqualTo("IfNotPresent");
    assertThat(deployment.<Boolean>get(containerPath("securityContext", "readOnlyRootFilesystem")))
        .isTrue();
    assertThat(
            deployment.<Boolean>get(containerPath("securityContext", "allowPrivilegeEscalation")))
        .isFalse();
    assertThat(
            deployment.<List<String>>get(containerPath("securityContext", "capabilities", "drop")))
        .containsExactly("ALL");
    assertThat(deployment.<String>get(containerPath("livenessProbe", "httpGet", "path")))
        .isEqualTo("/q/health/live");
    assertThat(deployment.<String>get(containerPath("readinessProbe", "httpGet", "path")))
        .isEqualTo("/q/health/ready");
    assertThat(deployment.<Object>get(containerPath("resources", "requests", "memory")))
        .isEqualTo("256Mi");
    assertThat(deployment.<Object>get(containerPath("resources", "limits", "memory")))
        .isEqualTo("512Mi");

    Map<String, String> env = env(deployment);
    assertThat(env)
        .containsEntry("DISTILLERY_WATCH_NAMESPACES", "JOSDK_ALL_NAMESPACES")
        .containsEntry("DISTILLERY_TRAINER_IMAGE", "ghcr.io/distillery/mdt:0.1.0")
        .containsEntry("DISTILLERY_TRAINER_IMAGE_PULL_POLICY", "IfNotPresent")
        .containsEntry("DISTILLERY_GPU_RESOURCE_NAME", "nvidia.com/gpu")
        .containsEntry("DISTILLERY_LEASE_NAME", "distillery-operator")
        .containsKey("DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE");
  }

  @Test
  void everyEnvironmentVariableTheChartSetsIsReadByTheOperator() throws IOException {
    Set<String> read = operatorEnvironmentNames();
    Map<String, String> env =
        env(RenderedChart.render("distillery", "distillery-system").only("Deployment"));
    Set<String> distillery =
        env.keySet().stream().filter(k -> k.startsWith("DISTILLERY_")).collect(Collectors.toSet());
    assertThat(distillery).isNotEmpty();
    assertThat(read)
        .as("operator settings (application.properties and @ConfigProperty names)")
        .containsAll(distillery);
  }

  @Test
  void watchNamespacesGivesOneRolePerNamespaceAndNoClusterRole() {
    RenderedChart chart =
        RenderedChart.render(
            "distillery", "distillery-system", "--set", "watchNamespaces={team-a,team-b}");
    assertThat(chart.ofKind("ClusterRole")).isEmpty();
    assertThat(chart.ofKind("ClusterRoleBinding")).isEmpty();
    assertThat(chart.ofKind("RoleBinding").stream().map(r -> r.getMetadata().getNamespace()))
        .containsExactlyInAnyOrder("team-a", "team-b", "distillery-system");
    assertThat(env(chart.only("Deployment")))
        .containsEntry("DISTILLERY_WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void valuesReachTheDeploymentAndServiceMonitor() {
    RenderedChart chart =
        RenderedChart.render(
            "prod",
            "ml",
            "--set",
            "trainer.image=registry.example/mdt:1.2.3,trainer.pullPolicy=Always",
            "--set",
            "image.tag=9.9.9,metrics.serviceMonitor.enabled=true",
            "--set",
            "trainer.gpuResourceName=amd.com/gpu");
    Map<String, String> env = env(chart.only("Deployment"));
    assertThat(env)
        .containsEntry("DISTILLERY_TRAINER_IMAGE", "registry.example/mdt:1.2.3")
        .containsEntry("DISTILLERY_TRAINER_IMAGE_PULL_POLICY", "Always")
        .containsEntry("DISTILLERY_GPU_RESOURCE_NAME", "amd.com/gpu");
    assertThat(chart.only("Deployment").<String>get(containerPath("image")))
        .isEqualTo("ghcr.io/distillery/operator:9.9.9");
    GenericKubernetesResource monitor = chart.only("ServiceMonitor");
    assertThat(monitor.<String>get("spec", "endpoints", 0, "path")).isEqualTo("/q/metrics");
    assertThat(monitor.<String>get("spec", "endpoints", 0, "port"))
        .isEqualTo(chart.only("Service").<String>get("spec", "ports", 0, "name"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown key             | replicas=2                        | additional properties 'replicas' not allowed
          zero replicas           | replicaCount=0                    | at '/replicaCount': minimum: got 0, want 1
          bad pull policy         | trainer.pullPolicy=Sometimes      | at '/trainer/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'
          bad namespace name      | watchNamespaces={Team_A}          | at '/watchNamespaces/0': 'Team_A' does not match pattern
          empty trainer image     | trainer.image=                    | at '/trainer/image'
          bad duration            | progress.interval=15 seconds      | at '/progress/interval'
          port out of range       | metrics.service.port=70000        | at '/metrics/service/port'
          """)
  void badValuesFailWithTheSchemasMessage(String why, String set, String expected) {
    var result =
        Binaries.helm(null, "template", "distillery", Binaries.chart().toString(), "--set", set);
    assertThat(result.exitCode()).as(why).isNotZero();
    assertThat(result.output())
        .as(why)
        .contains("values don't meet the specifications of the schema")
        .contains(expected);
  }

  @Test
  void dashboardUsesOnlyDocumentedMetricsAndOperatorMetricsExist() throws IOException {
    String json = Files.readString(Binaries.chart().resolve("dashboards/distillery.json"));
    JsonNode dashboard = new ObjectMapper().readTree(json);
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\b((?:distillery|mdt|operator_sdk)_[a-z_]+)").matcher(json);
    while (m.find()) used.add(baseName(m.group(1)));
    assertThat(dashboard.get("panels").size()).isGreaterThan(8);
    // The dashboard is shipped in the ConfigMap the chart renders.
    var configMap =
        RenderedChart.render("distillery", "distillery-system").ofKind("ConfigMap").stream()
            .filter(c -> c.getMetadata().getName().endsWith("-dashboard"))
            .findFirst()
            .orElseThrow();
    assertThat(configMap.<String>get("data", "distillery.json").strip()).isEqualTo(json.strip());

    // Every metric on the dashboard is listed in the README's metrics table ...
    String readme = Files.readString(REPO.resolve("README.md"));
    assertThat(used.stream().filter(name -> !readme.contains("`" + name + "`")).toList())
        .as("dashboard metrics missing from the README's metrics table")
        .isEmpty();
    // ... and the operator's own are the names DistillationMetrics registers.
    assertThat(used)
        .contains(prometheusName(DistillationMetrics.JOBS))
        .contains(prometheusName(DistillationMetrics.PHASE_DURATION) + "_seconds");
    assertThat(used.stream().filter(n -> n.startsWith("distillery_")))
        .containsExactlyInAnyOrder(
            prometheusName(DistillationMetrics.JOBS),
            prometheusName(DistillationMetrics.PHASE_DURATION) + "_seconds",
            prometheusName(StudentMetrics.DEPLOYMENTS),
            prometheusName(StudentMetrics.ROLLOUTS) + "_total");
  }

  /** A series name without the suffixes Prometheus adds to histograms, counters and timers. */
  static String baseName(String series) {
    return series.replaceAll("_(bucket|sum|count|max)$", "");
  }

  static String prometheusName(String micrometerName) {
    return micrometerName.replace('.', '_');
  }

  static Object[] containerPath(Object... rest) {
    return Stream.concat(Stream.of("spec", "template", "spec", "containers", 0), Stream.of(rest))
        .toArray();
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> env(GenericKubernetesResource deployment) {
    List<Map<String, Object>> env =
        deployment.get("spec", "template", "spec", "containers", 0, "env");
    return env.stream()
        .collect(
            Collectors.toMap(
                e -> (String) e.get("name"),
                e ->
                    e.get("value") == null
                        ? "<from " + e.get("valueFrom") + ">"
                        : (String) e.get("value")));
  }

  /**
   * Environment variable names the operator reads: the keys of application.properties and the
   * {@code @ConfigProperty} names in its sources, in MicroProfile's environment form, plus every
   * {@code ${VAR}} reference in application.properties.
   */
  static Set<String> operatorEnvironmentNames() throws IOException {
    Path operator = REPO.resolve("operator/src/main");
    Set<String> keys = new TreeSet<>();
    String properties = Files.readString(operator.resolve("resources/application.properties"));
    properties
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("#") && l.contains("="))
        .forEach(l -> keys.add(l.substring(0, l.indexOf('=')).strip()));
    Matcher ref = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(properties);
    Set<String> names = new TreeSet<>();
    while (ref.find()) names.add(ref.group(1));
    try (Stream<Path> files = Files.walk(operator.resolve("java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher cp =
            Pattern.compile("(?:ConfigProperty\\(name =|getOptionalValue\\()\\s*\"([a-z0-9.-]+)\"")
                .matcher(Files.readString(f));
        while (cp.find()) keys.add(cp.group(1));
      }
    }
    keys.forEach(k -> names.add(k.replaceAll("[^A-Za-z0-9]", "_").toUpperCase()));
    return names;
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
