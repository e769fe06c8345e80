package io.distillery.mdt.sampling;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.render.MeshWriter;
import io.distillery.mdt.render.PreviewRenderer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code mdt sample} on a two-stage pipeline: the structure stage samples occupancy grids, which
 * are thresholded, and the appearance stage samples colours on each non-empty structure (an empty
 * one gets none: the appearance model needs an occupied voxel). Shape {@code j} uses seed {@code
 * seed + j} in both stages, from {@link SeededSampling#STRUCTURE_STREAM} and {@link
 * SeededSampling#APPEARANCE_STREAM}. Writes coloured PLY, OBJ (+ MTL), GLB and a coloured sheet.
 */
final class PipelineShapes {
  private PipelineShapes() {}

  static SampleShapes.Result run(SampleShapes.Request req, Pipelines.Pipeline p)
      throws IOException {
    ModelCard sc = p.structureCard();
    ModelCard ac = p.appearanceCard();
    SamplerSettings s1 =
        SampleShapes.settings(sc.sampler(), req.steps(), req.cfg(), req.rescaleT());
    SamplerSettings s2 =
        SampleShapes.settings(ac.sampler(), req.appearanceSteps(), req.appearanceCfg(), null);
    int[] labels =
        SampleShapes.labels(
            SampleShapes.classIndices(req.classes(), sc.classNames()), req.perClass());
    List<String> names = SampleShapes.names(labels, sc.classNames(), req.seed());
    long began = System.nanoTime();
    VoxelBatch structures;
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(p.structure(), req.device())) {
      structures =
          SeededSampling.sample(
              loaded.model(), s1, labels, req.seed(), SeededSampling.DEFAULT_BATCH);
    }
    VoxelBatch occupancy = ThresholdedStructures.occupancy(structures, p.card().threshold());
    int[] filled = ThresholdedStructures.nonEmpty(occupancy);
    VoxelBatch appearance;
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(p.appearance(), req.device())) {
      appearance =
          ThresholdedStructures.colour(
              loaded.model(),
              s2,
              occupancy,
              ThresholdedStructures.consecutiveSeeds(req.seed(), labels.length),
              SeededSampling.DEFAULT_BATCH);
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    boolean[] hasAppearance = new boolean[labels.length];
    for (int j : filled) {
      hasAppearance[j] = true;
    }
    Artifact written = write(req, p, s1, s2, occupancy, appearance, hasAppearance, names);
    return new SampleShapes.Result(
        written.dir(),
        written.digest(),
        names,
        s1,
        s1.nfe() + s2.nfe(),
        seconds,
        structures,
        s2,
        appearance,
        labels.length - filled.length);
  }

  private static Artifact write(
      SampleShapes.Request req,
      Pipelines.Pipeline p,
      SamplerSettings s1,
      SamplerSettings s2,
      VoxelBatch occupancy,
      VoxelBatch appearance,
      boolean[] hasAppearance,
      List<String> names)
      throws IOException {
    int r = occupancy.resolution();
    int per = appearance.sampleSize();
    List<String> empty = new ArrayList<>();
    try (ArtifactWriter w = ArtifactWriter.create(req.out())) {
      List<float[]> occupancies = new ArrayList<>();
      List<float[]> colours = new ArrayList<>();
      for (int j = 0; j < occupancy.count(); j++) {
        float[] occ = occupancy.occupancy(j);
        occupancies.add(occ);
        String name = names.get(j);
        if (!hasAppearance[j]) {
          // As the structure stage writes an empty shape: an empty, valid mesh without colours.
          empty.add(name);
          colours.add(null);
          for (String ext : List.of(".ply", ".obj", ".glb")) {
            MeshWriter.write(occ, r, w.path(name + ext));
          }
          continue;
        }
        float[] rgb = Arrays.copyOfRange(appearance.data(), j * per, (j + 1) * per);
        colours.add(rgb);
        for (String ext : List.of(".ply", ".obj", ".glb")) {
          MeshWriter.write(occ, rgb, r, w.path(name + ext));
        }
      }
      List<String> labels = names.stream().map(x -> x.substring(4)).toList();
      PreviewRenderer.writePng(
          PreviewRenderer.sheet(
              occupancies, colours, r, labels, Math.min(8, occupancy.count()), 160),
          w.path(SampleShapes.SHEET));
      ObjectMapper json = new ObjectMapper();
      ObjectNode card = json.createObjectNode();
      card.put("kind", "samples");
      card.put("model", p.artifact().dir().toString());
      card.put("modelDigest", p.artifact().digest());
      card.putPOJO("sampler", s1);
      card.put("threshold", p.card().threshold());
      ObjectNode stages = card.putObject("stages");
      stage(stages.putObject(Pipelines.STRUCTURE), p.structure(), s1)
          .put("noiseStream", SeededSampling.STRUCTURE_STREAM);
      stage(stages.putObject(Pipelines.APPEARANCE), p.appearance(), s2)
          .put("noiseStream", SeededSampling.APPEARANCE_STREAM);
      card.put("seed", req.seed());
      card.putPOJO("shapes", names);
      card.put("emptyStructures", empty.size());
      card.putPOJO("emptyStructureShapes", empty);
      w.modelJson(card);
      return w.commit();
    }
  }

  private static ObjectNode stage(ObjectNode node, Artifact stage, SamplerSettings s) {
    node.put("model", stage.dir().toString());
    node.put("digest", stage.digest());
    node.putPOJO("sampler", s);
    return node;
  }
}
