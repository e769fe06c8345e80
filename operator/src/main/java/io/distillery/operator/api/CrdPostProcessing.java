package io.distillery.operator.api;

import io.distillery.operator.api.v1alpha1.KindDescriptions;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;

/**
 * What the CRD generator's output lacks: printer columns in display order ({@link
 * PrinterColumnOrder}) and the kinds' descriptions ({@link KindDescriptions}). Configured as the
 * Quarkus build's CRD post-processor and used by the drift test, so crds/ and target/kubernetes
 * agree.
 */
public class CrdPostProcessing implements CRDPostProcessor {
  private final PrinterColumnOrder columns = new PrinterColumnOrder();

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    HasMetadata ordered = columns.process(crd, crdSpecVersion);
    if (ordered instanceof CustomResourceDefinition v1) {
      KindDescriptions.apply(v1);
    }
    return ordered;
  }
}
