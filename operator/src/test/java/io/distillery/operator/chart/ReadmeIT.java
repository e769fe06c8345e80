package io.distillery.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.ErrorCondition;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The user documentation stays true: the field reference in docs/reference.md is what the CRDs in
 * crds/ describe (regenerate with {@code -Ddistillery.readme.update=true}), its troubleshooting
 * section names every condition reason both controllers set, and every relative link in README.md
 * and docs/ points to a file in the repository.
 */
class ReadmeIT {
  static final Path REPO = ControlPlane.repo();
  static final Path README = REPO.resolve("README.md");
  static final Path REFERENCE = REPO.resolve("docs/reference.md");

  @Test
  void fieldReferenceIsGeneratedFromTheCrds() throws IOException {
    String readme = Files.readString(REFERENCE);
    String updated = readme;
    try (Stream<Path> files = Files.list(ControlPlane.repo().resolve("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        CustomResourceDefinition crd =
            new KubernetesSerialization().unmarshal(Files.readString(file));
        String name = crd.getMetadata().getName();
        String begin = "<!-- BEGIN field-reference " + name + " -->\n";
        String end = "<!-- END field-reference " + name + " -->";
        assertThat(readme)
            .as(
                "docs/reference.md has a field reference for %s between %s and %s",
                name, begin, end)
            .contains(begin)
            .contains(end);
        int from = updated.indexOf(begin) + begin.length();
        int to = updated.indexOf(end);
        updated = updated.substring(0, from) + FieldReference.markdown(crd) + updated.substring(to);
      }
    }
    if (Boolean.getBoolean("distillery.readme.update")) {
      Files.writeString(REFERENCE, updated);
      return;
    }
    assertThat(readme)
        .as("docs/reference.md field reference is stale; run with -Ddistillery.readme.update=true")
        .isEqualTo(updated);
  }

  @Test
  void troubleshootingNamesEveryConditionReason() throws Exception {
    String readme = Files.readString(REFERENCE);
    int start = readme.indexOf("## Condition reasons and troubleshooting");
    assertThat(start).isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> reasons = new ArrayList<>();
    for (Class<?> conditions :
        List.of(DistillationConditions.class, StudentConditions.class, ErrorCondition.class)) {
      for (Field f : conditions.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
          reasons.add((String) f.get(null));
        }
      }
    }
    assertThat(reasons).hasSizeGreaterThan(20);
    assertThat(reasons.stream().filter(r -> !section.contains("`" + r + "`")).toList())
        .as("condition reasons missing from docs/reference.md's troubleshooting section")
        .isEmpty();
  }

  /** Markdown links {@code [text](target)} that are neither absolute URLs nor anchors. */
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

  @Test
  void relativeLinksInTheDocsPointToFiles() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(README, REPO.resolve("operator/README.md")));
    try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
      docs.filter(f -> f.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      Matcher m = LINK.matcher(Files.readString(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.contains("://") || target.startsWith("mailto:")) {
          continue;
        }
        if (!Files.exists(page.getParent().resolve(target).normalize())) {
          broken.add(REPO.relativize(page) + " -> " + target);
        }
      }
    }
    assertThat(broken).as("relative links to files that do not exist").isEmpty();
  }
}
