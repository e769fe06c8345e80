package io.distillery.operator.api;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.util.Comparator;
import java.util.List;

/**
 * Orders the printer columns the way {@code kubectl get} should show them (the CRD generator sorts
 * them by JSON path, which puts Age first). Applied by {@link CrdPostProcessing}.
 */
public class PrinterColumnOrder implements CRDPostProcessor {
  /** Known column names, in display order; other columns keep their order before Age. */
  static final List<String> ORDER =
      List.of(
          "Phase",
          "Stage",
          "Ready",
          "Progress",
          "Model",
          "Serving",
          "Rollout",
          "Speedup",
          "Quality",
          "URL",
          "Age");

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (crd instanceof CustomResourceDefinition v1) {
      v1.getSpec()
          .getVersions()
          .forEach(
              version -> {
                if (version.getAdditionalPrinterColumns() != null) {
                  version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(this::rank));
                }
              });
    }
    return crd;
  }

  private int rank(CustomResourceColumnDefinition column) {
    int i = ORDER.indexOf(column.getName());
    return i >= 0 ? i : ORDER.indexOf("Age") - 1;
  }
}
