package io.distillery.mdt.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.flow.SamplerSettings;
import java.util.List;
import java.util.Map;

/**
 * What {@code model.json} of a flow-model artifact says: the architecture, how to sample it by
 * default, whether CFG is baked in (a distilled student) and the class names. {@code training}
 * records how it was made (command, seed, steps, final loss).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
    String kind,
    String role,
    ModelSpec model,
    SamplerSettings sampler,
    boolean guidanceBakedIn,
    List<String> classNames,
    String weights,
    String conventions,
    Map<String, Object> training) {

  public static final String FLOW_TRANSFORMER = "flow-transformer";

  /**
   * Kind of the sparse appearance flow ({@link SparseFlowTransformer}): features on the occupied
   * voxels of a structure, so not a model over the whole grid.
   */
  public static final String SPARSE_FLOW_TRANSFORMER = "sparse-flow-transformer";

  /** Kind of a student of a TorchScript teacher: the module plus its distilled weights. */
  public static final String TORCHSCRIPT = "torchscript";

  /**
   * Kind of a student of a sparse (appearance-stage) TorchScript teacher: the module with the
   * signature of trainer-image/TORCHSCRIPT.md's sparse section plus its distilled weights.
   */
  public static final String SPARSE_TORCHSCRIPT = "sparse-torchscript";

  /** The TorchScript module's file inside such an artifact. */
  public static final String TORCHSCRIPT_FILE = "model.pt";

  public static final String CONVENTIONS =
      "TRELLIS flow matching: t runs from 1 (noise) to 0 (data); v(x, 1000 t, cond);"
          + " cond = numClasses is the null class";

  /**
   * The newest format version of a kind that this code reads and writes: flow-transformer 1 is the
   * linear patch embedding and head, 2 adds the optional convolutional stem and head ({@code
   * model.convChannels}); sparse-flow-transformer 1 is the first sparse appearance flow;
   * torchscript 1 is the module plus its weights.
   */
  public static int formatVersion(String kind) {
    return FLOW_TRANSFORMER.equals(kind) ? 2 : 1;
  }

  /**
   * A card for a built-in network of {@code stage} (the dense transformer for the structure, the
   * sparse one for the appearance) with the weights in {@link ModelArtifacts#WEIGHTS}.
   */
  public static ModelCard builtIn(
      TrainerConfig.Stage stage,
      String role,
      ModelSpec model,
      SamplerSettings sampler,
      boolean guidanceBakedIn,
      List<String> classNames,
      Map<String, Object> training) {
    return new ModelCard(
        stage == TrainerConfig.Stage.APPEARANCE ? SPARSE_FLOW_TRANSFORMER : FLOW_TRANSFORMER,
        role,
        model,
        sampler,
        guidanceBakedIn,
        classNames,
        ModelArtifacts.WEIGHTS,
        CONVENTIONS,
        training);
  }

  /**
   * Whether the artifact holds a TorchScript module ({@link #TORCHSCRIPT_FILE}) and its weights.
   */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isTorchScript() {
    return TORCHSCRIPT.equals(kind) || SPARSE_TORCHSCRIPT.equals(kind);
  }

  /** Which flow of a two-stage generator the model is (the sparse transformer: appearance). */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public TrainerConfig.Stage stage() {
    return SPARSE_FLOW_TRANSFORMER.equals(kind) || SPARSE_TORCHSCRIPT.equals(kind)
        ? TrainerConfig.Stage.APPEARANCE
        : TrainerConfig.Stage.STRUCTURE;
  }
}
