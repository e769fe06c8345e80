package io.distillery.operator.api.v1alpha1;

/**
 * Why a spec with {@code stage: appearance} (or a field only that stage takes) is refused: the CEL
 * rules of {@link DistillationJobSpec} (at admission) and the operator's own checks (for a CRD
 * older than the field) say the same. Each message starts with the field under {@code spec}.
 */
public final class AppearanceStageRules {
  private AppearanceStageRules() {}

  public static final String STRUCTURE_MODEL =
      "dataset.structureModel: only the appearance stage takes its structures from a structure"
          + " model";
  public static final String FD_GATE =
      "evaluation.gates.maxFdRatio: the appearance stage is judged against its ground truth and"
          + " the teacher's samples, not by FD; gate on maxPairedError instead";
  public static final String IOU_GATE =
      "evaluation.gates.minPairedIoU: IoU needs occupancy data, and the appearance stage"
          + " generates features on a given structure; gate on maxPairedError instead";
  public static final String TORCHSCRIPT_SHAPE =
      "teacher.shape: a TorchScript appearance teacher needs its shape (channels: the feature"
          + " channels, 3 for the colours of the built-in shapes)";
}
