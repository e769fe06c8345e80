package io.distillery.operator;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages form a directed acyclic graph: each package under {@code
 * io.distillery.operator} may use packages below it, never one that uses it back
 * (docs/architecture.md, package map).
 */
class PackageCyclesTest {

  @Test
  void mainPackagesAreFreeOfCycles() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.distillery.operator");
    slices().matching("io.distillery.operator.(*)..").should().beFreeOfCycles().check(classes);
  }
}
