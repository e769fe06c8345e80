package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Serves a distilled student with {@code mdt serve}: a Deployment (plus a canary Deployment while a
 * new model is analysed), a Service and optionally an HPA. See docs/design.md and
 * operator/README.md.
 */
@Group(DistillationJob.GROUP)
@Version(DistillationJob.VERSION)
@ShortNames("sd")
@Categories("distillery")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.ready",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Model",
    jsonPath = ".status.model",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Serving",
    jsonPath = ".status.currentSource",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Rollout",
    jsonPath = ".status.rollingOut",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Speedup",
    jsonPath = ".status.speedup",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "URL",
    jsonPath = ".status.url",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "size(self.metadata.name) <= " + StudentDeployment.MAX_NAME_LENGTH,
    message =
        "metadata.name: at most 45 characters (the canary Deployment, its ReplicaSets and the"
            + " Service are named after it)")
@JsonClassDescription(
    "Serves a distilled student with `mdt serve`: a Deployment (plus a canary Deployment while a new model is analysed), a Service and optionally a HorizontalPodAutoscaler; each new model of its source is rolled out.")
public class StudentDeployment
    extends CustomResource<StudentDeploymentSpec, StudentDeploymentStatus> implements Namespaced {
  public static final int MAX_NAME_LENGTH = 45;

  @Override
  protected StudentDeploymentStatus initStatus() {
    return null;
  }
}
