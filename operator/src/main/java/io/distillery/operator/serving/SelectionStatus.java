package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;

/** The selector's choice in the status: the selected job and the pending and skipped candidates. */
final class SelectionStatus {
  private SelectionStatus() {}

  /** Records {@code selection}; without a selector (null) the fields are cleared. */
  static void record(StudentDeploymentStatus s, JobSelection selection) {
    if (selection == null) {
      s.selectedSource = null;
      s.pendingSources = null;
      s.skippedSources = null;
      return;
    }
    s.selectedSource =
        selection.selected() == null ? null : selection.selected().getMetadata().getName();
    s.pendingSources = selection.pending().isEmpty() ? null : selection.pending();
    s.skippedSources = selection.skipped().isEmpty() ? null : selection.skipped();
  }
}
