package io.distillery.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.distillation.DistillationJobReconciler;
import io.distillery.operator.serving.StudentDeploymentReconciler;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.Impersonation;
import io.distillery.operator.testing.harnesses.RenderedChart;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC on a real kube-apiserver (RBAC authorization on): the ServiceAccount may make
 * every call operator/README.md lists ("What the operator calls", both controllers) and nothing it
 * must not (Secrets, Node writes, RBAC objects, pod exec, leases outside its namespace). Checked
 * twice: by SelfSubjectAccessReview for each call, and by running the real reconciler as that
 * identity (impersonation) until it created a job's children, patched its status and recorded an
 * event. Both chart modes: cluster-wide (default) and {@code watchNamespaces}.
 */
class RbacIT {
  static final String OPERATOR_NS = "distillery-system";
  static final String SCOPED_NS = "scoped-system";
  static TestApiServer api;
  static KubernetesClient admin;
  static KubernetesClient clusterWide;
  static KubernetesClient scoped;

  /** One API call: verb on group/resource[/subresource]. */
  record Call(String verb, String group, String resource, String subresource) {
    static Call of(String spec) {
      String[] p = spec.split(" ");
      String[] gr = p[1].split("/");
      return new Call(p[0], gr[0], gr[1], gr.length > 2 ? gr[2] : "");
    }

    @Override
    public String toString() {
      return verb + " " + group + "/" + resource + (subresource.isEmpty() ? "" : "/" + subresource);
    }
  }

  /** Namespaced calls of the DistillationJob controller (operator/README.md). */
  static final List<Call> OPERATOR_CALLS =
      List.of(
              "get distillery.io/distillationjobs",
              "list distillery.io/distillationjobs",
              "watch distillery.io/distillationjobs",
              "patch distillery.io/distillationjobs/status",
              "get /configmaps",
              "list /configmaps",
              "watch /configmaps",
              "create /configmaps",
              "patch /configmaps",
              "update /configmaps",
              "delete /configmaps",
              "get /persistentvolumeclaims",
              "list /persistentvolumeclaims",
              "watch /persistentvolumeclaims",
              "create /persistentvolumeclaims",
              "patch /persistentvolumeclaims",
              "update /persistentvolumeclaims",
              "delete /persistentvolumeclaims",
              "get batch/jobs",
              "list batch/jobs",
              "watch batch/jobs",
              "create batch/jobs",
              "patch batch/jobs",
              "update batch/jobs",
              "delete batch/jobs",
              "get /pods",
              "list /pods",
              "watch /pods",
              "create /events",
              // A queued trainer Job's Kueue Workload (KueueWorkloads).
              "get kueue.x-k8s.io/workloads",
              "list kueue.x-k8s.io/workloads",
              "watch kueue.x-k8s.io/workloads",
              // Whether a job's namespace is terminating (NamespaceTermination).
              "get /namespaces",
              // StudentDeployment controller.
              "get distillery.io/studentdeployments",
              "list distillery.io/studentdeployments",
              "watch distillery.io/studentdeployments",
              // Removing distillery.io/canary-decision once acted on (CanaryCalls).
              "patch distillery.io/studentdeployments",
              "patch distillery.io/studentdeployments/status",
              "get apps/deployments",
              "list apps/deployments",
              "watch apps/deployments",
              "create apps/deployments",
              "patch apps/deployments",
              "update apps/deployments",
              "delete apps/deployments",
              "get /services",
              "list /services",
              "watch /services",
              "create /services",
              "patch /services",
              "update /services",
              "delete /services",
              "get autoscaling/horizontalpodautoscalers",
              "list autoscaling/horizontalpodautoscalers",
              "watch autoscaling/horizontalpodautoscalers",
              "create autoscaling/horizontalpodautoscalers",
              "patch autoscaling/horizontalpodautoscalers",
              "update autoscaling/horizontalpodautoscalers",
              "delete autoscaling/horizontalpodautoscalers")
          .stream()
          .map(Call::of)
          .toList();

  /** The informers of an all-namespaces operator list and watch across the cluster. */
  static final List<Call> CLUSTER_WIDE_WATCHES =
      List.of(
              "list distillery.io/distillationjobs",
              "watch distillery.io/distillationjobs",
              "list /configmaps",
              "watch /configmaps",
              "list /persistentvolumeclaims",
              "watch /persistentvolumeclaims",
              "list batch/jobs",
              "watch batch/jobs",
              "list /pods",
              "watch /pods",
              "list distillery.io/studentdeployments",
              "watch distillery.io/studentdeployments",
              "list apps/deployments",
              "watch apps/deployments",
              "list /services",
              "watch /services",
              "list autoscaling/horizontalpodautoscalers",
              "watch autoscaling/horizontalpodautoscalers")
          .stream()
          .map(Call::of)
          .toList();

  static final List<Call> LEADER_ELECTION_CALLS =
      List.of(
              "get coordination.k8s.io/leases",
              "create coordination.k8s.io/leases",
              "update coordination.k8s.io/leases",
              "patch coordination.k8s.io/leases")
          .stream()
          .map(Call::of)
          .toList();

  /** Calls the operator never makes, in a watched namespace. */
  static final List<Call> FORBIDDEN_NAMESPACED =
      List.of(
              "get /secrets",
              "list /secrets",
              "watch /secrets",
              "create /secrets",
              "create /pods",
              "delete /pods",
              "create /pods/exec",
              "patch /pods/status",
              "create /serviceaccounts/token",
              "create distillery.io/distillationjobs",
              "update distillery.io/distillationjobs",
              "delete distillery.io/distillationjobs",
              "create rbac.authorization.k8s.io/roles",
              "create rbac.authorization.k8s.io/rolebindings",
              "create coordination.k8s.io/leases",
              "create apps/daemonsets",
              "create apps/statefulsets",
              "update /services/status",
              "delete distillery.io/studentdeployments")
          .stream()
          .map(Call::of)
          .toList();

  /** Cluster-scoped calls it must never make. */
  static final List<Call> FORBIDDEN_CLUSTER =
      List.of(
              "list /secrets",
              "create /nodes",
              "update /nodes",
              "patch /nodes",
              "delete /nodes",
              "patch /nodes/status",
              "create rbac.authorization.k8s.io/clusterroles",
              "update rbac.authorization.k8s.io/clusterroles",
              "escalate rbac.authorization.k8s.io/clusterroles",
              "bind rbac.authorization.k8s.io/clusterroles",
              "create rbac.authorization.k8s.io/clusterrolebindings",
              "create apiextensions.k8s.io/customresourcedefinitions",
              "update apiextensions.k8s.io/customresourcedefinitions",
              "create /namespaces",
              "delete /namespaces")
          .stream()
          .map(Call::of)
          .toList();

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    admin = api.client();
    for (String ns : List.of(OPERATOR_NS, SCOPED_NS, "team-a", "team-b")) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    // What `helm install` creates for the operator's identity, rendered by the real helm.
    apply(RenderedChart.render("distillery", OPERATOR_NS).identityAndRbac());
    apply(
        RenderedChart.render("scoped", SCOPED_NS, "--set", "watchNamespaces={team-a}")
            .identityAndRbac());
    clusterWide = Impersonation.asServiceAccount(api.kubeConfigYaml(), OPERATOR_NS, "distillery");
    scoped = Impersonation.asServiceAccount(api.kubeConfigYaml(), SCOPED_NS, "scoped-distillery");
  }

  @AfterAll
  static void stop() {
    if (clusterWide != null) clusterWide.close();
    if (scoped != null) scoped.close();
    if (api != null) api.close();
  }

  static void apply(List<GenericKubernetesResource> objects) {
    assertThat(objects).isNotEmpty();
    objects.forEach(o -> admin.resource(o).forceConflicts().serverSideApply());
  }

  @Test
  void clusterWideServiceAccountMayMakeEveryOperatorCall() {
    for (String ns : List.of("team-a", "team-b", "default")) {
      assertThat(OPERATOR_CALLS)
          .allSatisfy(c -> assertThat(can(clusterWide, c, ns)).as("%s in %s", c, ns).isTrue());
    }
    assertThat(CLUSTER_WIDE_WATCHES)
        .allSatisfy(c -> assertThat(can(clusterWide, c, "")).as("%s, all namespaces", c).isTrue());
    assertThat(LEADER_ELECTION_CALLS)
        .allSatisfy(c -> assertThat(can(clusterWide, c, OPERATOR_NS)).as("%s", c).isTrue());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theClusterRoleGrantsNothingBeyondTheOperatorsCalls() {
    var role = RenderedChart.render("distillery", OPERATOR_NS).only("ClusterRole");
    for (var rule : RenderedChart.rules(role)) {
      for (String group : (List<String>) rule.get("apiGroups")) {
        for (String resource : (List<String>) rule.get("resources")) {
          for (String verb : (List<String>) rule.get("verbs")) {
            String[] r = resource.split("/");
            Call granted = new Call(verb, group, r[0], r.length > 1 ? r[1] : "");
            assertThat(OPERATOR_CALLS)
                .as("granted %s is a call the operator makes", granted)
                .contains(granted);
          }
        }
      }
    }
  }

  @Test
  void clusterWideServiceAccountIsRefusedWhatItMustNotDo() {
    for (String ns : List.of("team-a", OPERATOR_NS, "kube-system")) {
      assertThat(FORBIDDEN_NAMESPACED)
          .filteredOn(c -> !(ns.equals(OPERATOR_NS) && c.resource().equals("leases")))
          .allSatisfy(c -> assertThat(can(clusterWide, c, ns)).as("%s in %s", c, ns).isFalse());
    }
    assertThat(FORBIDDEN_CLUSTER)
        .allSatisfy(c -> assertThat(can(clusterWide, c, "")).as("%s", c).isFalse());
    // The real calls are refused too, not only the reviews.
    assertThatThrownBy(() -> clusterWide.secrets().inNamespace("team-a").list())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("Forbidden");
    assertThatThrownBy(() -> clusterWide.nodes().withName("any").edit(n -> n))
        .isInstanceOf(KubernetesClientException.class);
    assertThatThrownBy(() -> clusterWide.rbac().clusterRoles().list())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("Forbidden");
  }

  @Test
  void leaderElectionLeaseCallsWorkOnlyInTheOperatorNamespace() {
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withName("distillery-operator")
            .withNamespace(OPERATOR_NS)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity("rbac-it")
            .withLeaseDurationSeconds(15)
            .endSpec()
            .build();
    Lease created = clusterWide.resource(lease).create();
    Lease read =
        clusterWide.leases().inNamespace(OPERATOR_NS).withName("distillery-operator").get();
    read.getSpec().setHolderIdentity("rbac-it-2");
    assertThat(clusterWide.resource(read).update().getSpec().getHolderIdentity())
        .isEqualTo("rbac-it-2");
    assertThat(created.getMetadata().getUid()).isEqualTo(read.getMetadata().getUid());
    lease.getMetadata().setNamespace("team-a");
    assertThatThrownBy(() -> clusterWide.resource(lease).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("Forbidden");
  }

  @Test
  void theRealReconcilersWorkAsTheChartsServiceAccount() {
    Operator operator = startOperator(clusterWide);
    try {
      createJob("team-b", "rbac-cluster-wide");
      createStudentDeployment("team-b", "rbac-serving");
      awaitChildrenAndStatus("team-b", "rbac-cluster-wide");
      awaitServingChildren("team-b", "rbac-serving");
    } finally {
      operator.stop();
    }
  }

  @Test
  void scopedServiceAccountIsConfinedToItsWatchedNamespaces() {
    assertThat(OPERATOR_CALLS)
        .allSatisfy(c -> assertThat(can(scoped, c, "team-a")).as("%s in team-a", c).isTrue());
    assertThat(OPERATOR_CALLS)
        .allSatisfy(c -> assertThat(can(scoped, c, "team-b")).as("%s in team-b", c).isFalse());
    assertThat(CLUSTER_WIDE_WATCHES)
        .allSatisfy(c -> assertThat(can(scoped, c, "")).as("%s, all namespaces", c).isFalse());
    assertThat(LEADER_ELECTION_CALLS)
        .allSatisfy(c -> assertThat(can(scoped, c, SCOPED_NS)).as("%s", c).isTrue());
    assertThat(FORBIDDEN_NAMESPACED)
        .allSatisfy(c -> assertThat(can(scoped, c, "team-a")).as("%s in team-a", c).isFalse());
    assertThat(FORBIDDEN_CLUSTER)
        .allSatisfy(c -> assertThat(can(scoped, c, "")).as("%s", c).isFalse());

    // The real reconcilers, watching only team-a as the chart configures them, work as that
    // identity.
    Operator operator = startOperator(scoped, "team-a");
    try {
      createJob("team-a", "rbac-scoped");
      createStudentDeployment("team-a", "rbac-scoped-serving");
      awaitChildrenAndStatus("team-a", "rbac-scoped");
      awaitServingChildren("team-a", "rbac-scoped-serving");
    } finally {
      operator.stop();
    }
  }

  /**
   * Both production reconcilers in one JOSDK operator on {@code client}, watching {@code
   * namespaces} (all when none), as the chart's Deployment runs them. Informer errors (a missing
   * list/watch right) fail the start.
   */
  static Operator startOperator(KubernetesClient client, String... namespaces) {
    OperatorSettings settings = OperatorHarness.fastSettings();
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofSeconds(30))
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(5)));
    var registry = new SimpleMeterRegistry();
    if (namespaces.length == 0) {
      operator.register(new DistillationJobReconciler(settings, registry));
      operator.register(new StudentDeploymentReconciler(settings, registry));
    } else {
      operator.register(
          new DistillationJobReconciler(settings, registry), o -> o.settingNamespaces(namespaces));
      operator.register(
          new StudentDeploymentReconciler(settings, registry),
          o -> o.settingNamespaces(namespaces));
    }
    operator.start();
    return operator;
  }

  static void createStudentDeployment(String ns, String name) {
    StudentDeployment sd = Fixtures.studentDeployment(name, Fixtures.digest('a'));
    sd.getMetadata().setNamespace(ns);
    sd.getMetadata().setUid(null);
    sd.getMetadata().setGeneration(null);
    admin.resource(sd).create();
  }

  /** The serving Deployment and Service created and the status patched. */
  static void awaitServingChildren(String ns, String name) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(admin.apps().deployments().inNamespace(ns).withName(name).get())
                  .isNotNull();
              assertThat(admin.services().inNamespace(ns).withName(name).get()).isNotNull();
              StudentDeployment sd =
                  admin.resources(StudentDeployment.class).inNamespace(ns).withName(name).get();
              assertThat(sd.getStatus()).isNotNull();
              assertThat(sd.getStatus().phase).isNotNull();
            });
  }

  static boolean can(KubernetesClient client, Call c, String namespace) {
    return Impersonation.can(client, c.verb(), c.group(), c.resource(), c.subresource(), namespace);
  }

  static void createJob(String ns, String name) {
    String yaml = Manifests.distillationJob(name, "").replace("claimName: artifacts", "size: 1Gi");
    Manifests.untyped(admin).inNamespace(ns).resource(Manifests.parse(admin, yaml)).create();
  }

  /** ConfigMap, claim and Job created, the status patched; then an event recorded. */
  static void awaitChildrenAndStatus(String ns, String name) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(
                      admin.configMaps().inNamespace(ns).withName(name + "-trainer-config").get())
                  .isNotNull();
              assertThat(
                      admin
                          .persistentVolumeClaims()
                          .inNamespace(ns)
                          .withName(name + "-output")
                          .get())
                  .isNotNull();
              assertThat(admin.batch().v1().jobs().inNamespace(ns).withName(name).get())
                  .isNotNull();
              GenericKubernetesResource dj =
                  Manifests.untyped(admin).inNamespace(ns).withName(name).get();
              assertThat(dj.<String>get("status", "phase")).isEqualTo("Pending");
              assertThat(dj.<String>get("status", "trainerJob")).isEqualTo(name);
            });
    // A new job's first status (JobCreated) records no event; suspending it records one.
    Manifests.untyped(admin)
        .inNamespace(ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true}}");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(admin.v1().events().inNamespace(ns).list().getItems())
                    .anyMatch(
                        e ->
                            name.equals(e.getInvolvedObject().getName())
                                && "Suspended".equals(e.getReason())));
  }
}
