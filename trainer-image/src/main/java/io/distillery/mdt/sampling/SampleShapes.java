package io.distillery.mdt.sampling;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.data.BadInputException;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.UnsupportedArtifactException;
import io.distillery.mdt.render.MeshWriter;
import io.distillery.mdt.render.PreviewRenderer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mdt sample} as a function: loads a model artifact, samples shapes for the requested
 * classes and seeds with the Euler sampler, and writes each as PLY, OBJ and GLB plus a PNG contact
 * sheet (a two-stage pipeline: {@link PipelineShapes}, coloured), as a verified directory that
 * appears only when complete. Shape {@code j} uses the noise of seed {@code seed + j}, whatever the
 * batch, so a shape can be reproduced alone.
 */
public final class SampleShapes {
  public static final String SHEET = "sheet.png";

  private SampleShapes() {}

  /**
   * What to sample; {@code null} steps, cfg and rescaleT take the model's defaults, empty classes
   * mean every class.
   */
  public record Request(
      Path model,
      List<String> classes,
      int perClass,
      long seed,
      Integer steps,
      Double cfg,
      Double rescaleT,
      Path out,
      Device device,
      Integer appearanceSteps,
      Double appearanceCfg) {

    /** A request for a single model, or for a pipeline with its appearance stage's defaults. */
    public Request(
        Path model,
        List<String> classes,
        int perClass,
        long seed,
        Integer steps,
        Double cfg,
        Double rescaleT,
        Path out,
        Device device) {
      this(model, classes, perClass, seed, steps, cfg, rescaleT, out, device, null, null);
    }
  }

  /**
   * What was written. {@code grids} are the (structure) samples; for a pipeline {@code appearance}
   * holds the appearance samples (zero for a shape whose structure came out empty), {@code
   * appearanceSampler} its settings and {@code emptyStructures} how many shapes got no appearance;
   * for a single model they are null, null and 0.
   */
  public record Result(
      Path dir,
      String digest,
      List<String> shapes,
      SamplerSettings sampler,
      int nfePerShape,
      double seconds,
      VoxelBatch grids,
      SamplerSettings appearanceSampler,
      VoxelBatch appearance,
      int emptyStructures) {}

  /**
   * Refuses what only a pipeline can run, for {@code mdt COMMAND} on a single model: the appearance
   * stage's options, and an appearance model alone (it colours a structure it is given).
   */
  public static void requireStructureModel(
      Artifact artifact, Path model, boolean appearanceOptions, String command) throws IOException {
    if (appearanceOptions) {
      throw new BadInputException(
          "--appearance-steps and --appearance-cfg apply to a pipeline (mdt pipeline); "
              + model
              + " is a single model");
    }
    if (ModelArtifacts.card(artifact).stage() == TrainerConfig.Stage.APPEARANCE) {
      throw new UnsupportedArtifactException(
          model
              + " is an appearance model: it colours a structure and cannot "
              + command
              + " alone; pair it with a structure model (mdt pipeline --structure DIR"
              + " --appearance "
              + model
              + " --out PIPELINE) and "
              + command
              + " the pipeline (mdt "
              + command
              + " --model PIPELINE)");
    }
  }

  public static Result run(Request req) throws IOException {
    if (req.perClass() < 1) {
      throw new BadInputException("--per-class must be at least 1, got " + req.perClass());
    }
    Artifact artifact = Artifact.open(req.model());
    if (Pipelines.isPipeline(artifact)) {
      return PipelineShapes.run(req, Pipelines.open(artifact));
    }
    requireStructureModel(
        artifact,
        req.model(),
        req.appearanceSteps() != null || req.appearanceCfg() != null,
        "sample");
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(artifact, req.device())) {
      ModelCard card = loaded.card();
      SamplerSettings s = settings(card.sampler(), req.steps(), req.cfg(), req.rescaleT());
      List<Integer> classes = classIndices(req.classes(), card.classNames());
      int[] labels = labels(classes, req.perClass());
      List<String> names = names(labels, card.classNames(), req.seed());
      long began = System.nanoTime();
      VoxelBatch grids =
          SeededSampling.sample(
              loaded.model(), s, labels, req.seed(), SeededSampling.DEFAULT_BATCH);
      double seconds = (System.nanoTime() - began) / 1e9;
      Artifact written = write(req, loaded, s, grids, names);
      return new Result(
          written.dir(), written.digest(), names, s, s.nfe(), seconds, grids, null, null, 0);
    }
  }

  /** A model's default sampler with the requested overrides (null: keep the default). */
  static SamplerSettings settings(
      SamplerSettings defaults, Integer steps, Double cfg, Double rescaleT) {
    try {
      return new SamplerSettings(
          steps == null ? defaults.steps() : steps,
          cfg == null ? defaults.cfgStrength() : cfg,
          rescaleT == null ? defaults.rescaleT() : rescaleT);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
  }

  /** {@code perClass} labels per class, class by class. */
  static int[] labels(List<Integer> classes, int perClass) {
    int[] labels = new int[classes.size() * perClass];
    for (int j = 0; j < labels.length; j++) {
      labels[j] = classes.get(j / perClass);
    }
    return labels;
  }

  /** {@code NNN-<class>-s<seed>} per shape: the file names of its meshes. */
  static List<String> names(int[] labels, List<String> classNames, long seed) {
    List<String> names = new ArrayList<>();
    for (int j = 0; j < labels.length; j++) {
      names.add(String.format("%03d-%s-s%d", j, classNames.get(labels[j]), seed + j));
    }
    return names;
  }

  private static Artifact write(
      Request req,
      ModelArtifacts.Loaded loaded,
      SamplerSettings s,
      VoxelBatch grids,
      List<String> names)
      throws IOException {
    int r = grids.resolution();
    try (ArtifactWriter w = ArtifactWriter.create(req.out())) {
      List<float[]> occupancies = new ArrayList<>();
      for (int j = 0; j < grids.count(); j++) {
        float[] occ = grids.occupancy(j);
        occupancies.add(occ);
        MeshWriter.write(occ, r, w.path(names.get(j) + ".ply"));
        MeshWriter.write(occ, r, w.path(names.get(j) + ".obj"));
        MeshWriter.write(occ, r, w.path(names.get(j) + ".glb"));
      }
      List<String> labels = names.stream().map(x -> x.substring(4)).toList();
      PreviewRenderer.writePng(
          PreviewRenderer.sheet(occupancies, r, labels, Math.min(8, grids.count()), 160),
          w.path(SHEET));
      ObjectNode json = new ObjectMapper().createObjectNode();
      json.put("kind", "samples");
      json.put("model", loaded.artifact().dir().toString());
      json.put("modelDigest", loaded.artifact().digest());
      json.putPOJO("sampler", s);
      json.put("seed", req.seed());
      json.putPOJO("shapes", names);
      w.modelJson(json);
      return w.commit();
    }
  }

  /** Class names or indices to indices; an unknown one names itself and lists the known ones. */
  static List<Integer> classIndices(List<String> requested, List<String> known) {
    if (requested == null || requested.isEmpty()) {
      return java.util.stream.IntStream.range(0, known.size()).boxed().toList();
    }
    List<Integer> out = new ArrayList<>();
    for (String c : requested) {
      int i = known.indexOf(c);
      if (i < 0 && c.matches("\\d+")) {
        i = Integer.parseInt(c);
        if (i >= known.size()) {
          i = -1;
        }
      }
      if (i < 0) {
        throw new BadInputException(
            "--classes: unknown class '"
                + c
                + "'; the model knows "
                + known
                + " (or 0-"
                + (known.size() - 1)
                + ")");
      }
      out.add(i);
    }
    return out;
  }
}
