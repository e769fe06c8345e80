package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.AppearanceStageRules;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.TeacherSpec;
import java.util.List;

/**
 * The spec of an appearance-stage job, checked as the CRD's CEL rules check it at admission, so a
 * CRD older than {@code spec.stage}'s rules does not start a trainer that refuses the config (exit
 * 2) after the pod was scheduled. Messages are {@link AppearanceStageRules}', under {@code spec}.
 */
final class AppearanceStageChecks {
  private AppearanceStageChecks() {}

  static void addProblems(DistillationJobSpec spec, List<String> p) {
    if (spec.stageOrDefault() != Stage.APPEARANCE) {
      if (spec.dataset != null && spec.dataset.structureModel != null) {
        p.add("spec." + AppearanceStageRules.STRUCTURE_MODEL);
      }
      return;
    }
    var gates = spec.evaluation == null ? null : spec.evaluation.gates;
    if (gates != null && gates.maxFdRatio != null) {
      p.add("spec." + AppearanceStageRules.FD_GATE);
    }
    if (gates != null && gates.minPairedIoU != null) {
      p.add("spec." + AppearanceStageRules.IOU_GATE);
    }
    if (spec.teacher.format == TeacherSpec.Format.TORCHSCRIPT && spec.teacher.shape == null) {
      p.add("spec." + AppearanceStageRules.TORCHSCRIPT_SHAPE);
    }
  }
}
