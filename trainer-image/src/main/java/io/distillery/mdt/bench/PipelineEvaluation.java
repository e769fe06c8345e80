package io.distillery.mdt.bench;

import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.SeededSampling;
import io.distillery.mdt.sampling.ThresholdedStructures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mdt evaluate} on a two-stage pipeline: the chain runs as {@code mdt sample} runs it
 * (structure stage, threshold, appearance stage on the non-empty structures, shape j on seed j of
 * each stage's noise stream). Its thresholded structures are scored exactly as a single structure
 * model's samples ({@link ModelEvaluation}); the appearance stage adds the {@link OffPaletteError}
 * over every evaluation seed's coloured shapes and the count of empty structures; latency and
 * throughput are timed for the chain and for each stage alone.
 */
public final class PipelineEvaluation {
  private PipelineEvaluation() {}

  /** One stage: its artifact, sampler and speed alone. */
  public record Stage(
      String model,
      String digest,
      int steps,
      double cfgStrength,
      int nfe,
      double latencyMsBatch1,
      double throughputPerSec) {}

  /**
   * The report's pipeline section.
   *
   * @param offPaletteError null when it does not apply ({@code offPaletteNote} says why)
   * @param shapes generated shapes over all evaluation seeds
   * @param emptyStructures of those, how many thresholded structures were empty (no appearance)
   */
  public record Figures(
      String digest,
      double threshold,
      Map<String, Stage> stages,
      Estimate offPaletteError,
      String offPaletteNote,
      int shapes,
      int emptyStructures,
      int nfe,
      double latencyMsBatch1,
      double throughputPerSec) {

    String markdown() {
      StringBuilder md = new StringBuilder();
      md.append(
          "\n## Pipeline\n\n| stage | steps | cfg | NFE | latency b1 (ms) | throughput b32 (/s) |"
              + " digest |\n|---|---|---|---|---|---|---|\n");
      for (Map.Entry<String, Stage> e : stages.entrySet()) {
        Stage st = e.getValue();
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.2f | %d | %.1f | %.2f | %s |%n",
                e.getKey(),
                st.steps(),
                st.cfgStrength(),
                st.nfe(),
                st.latencyMsBatch1(),
                st.throughputPerSec(),
                st.digest()));
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| chain (both stages + threshold %.2f) | | | %d | %.1f | %.2f | %s |%n",
              threshold,
              nfe,
              latencyMsBatch1,
              throughputPerSec,
              digest));
      md.append(
          String.format(
              Locale.ROOT,
              "%nEmpty structures (no appearance): %d of %d.%n",
              emptyStructures,
              shapes));
      md.append(
          offPaletteError == null
              ? "Off-palette error: not computed: " + offPaletteNote + ".\n"
              : "Off-palette error (mean squared distance per channel, colours in [-1, 1], to the"
                  + " nearest colour the built-in appearance gives the class; mean over voxels,"
                  + " then over the non-empty shapes of every evaluation seed, 95% bootstrap"
                  + " interval over those shapes): "
                  + offPaletteError.format("%.4f")
                  + ".\n");
      return md.toString();
    }
  }

  static ModelEvaluation.Report run(ModelEvaluation.Request req, Pipelines.Pipeline p)
      throws IOException {
    ModelCard sc = p.structureCard();
    ModelCard ac = p.appearanceCard();
    SamplerSettings s1 =
        ModelEvaluation.settings(sc.sampler(), req.steps(), req.cfgStrength(), req.rescaleT());
    SamplerSettings s2 =
        ModelEvaluation.settings(ac.sampler(), req.appearanceSteps(), req.appearanceCfg(), null);
    try (ModelArtifacts.Loaded structure = ModelArtifacts.load(p.structure(), req.device());
        ModelArtifacts.Loaded appearance = ModelArtifacts.load(p.appearance(), req.device())) {
      return ModelEvaluation.evaluate(
          req, new Chain(p, s1, s2, structure.model(), appearance.model()));
    }
  }

  /** The chain as the evaluation's subject; it keeps every seed's colours for the figures. */
  private static final class Chain implements ModelEvaluation.Subject {
    private final Pipelines.Pipeline p;
    private final SamplerSettings s1;
    private final SamplerSettings s2;
    private final VelocityModel structure;
    private final VelocityModel appearance;
    private final String note;
    private final List<double[]> offPalette = new ArrayList<>();
    private int shapes;
    private int empty;
    private Double structureLatency;
    private Double structureThroughput;

    Chain(
        Pipelines.Pipeline p,
        SamplerSettings s1,
        SamplerSettings s2,
        VelocityModel structure,
        VelocityModel appearance) {
      this.p = p;
      this.s1 = s1;
      this.s2 = s2;
      this.structure = structure;
      this.appearance = appearance;
      this.note =
          OffPaletteError.notApplicable(
              p.appearanceCard().classNames(), p.appearanceCard().model().channels);
    }

    @Override
    public ModelCard card() {
      return p.structureCard();
    }

    @Override
    public String digest() {
      return p.structure().digest();
    }

    @Override
    public SamplerSettings sampler() {
      return s1;
    }

    @Override
    public int resolution() {
      return (int) structure.sampleShape().get(1);
    }

    @Override
    public VoxelBatch sample(int[] labels, long seed) {
      VoxelBatch[] both = run(labels, seed, SeededSampling.DEFAULT_BATCH);
      int[] filled = ThresholdedStructures.nonEmpty(both[0]);
      shapes += labels.length;
      empty += labels.length - filled.length;
      if (note == null) {
        offPalette.add(OffPaletteError.perShape(both[0], both[1]));
      }
      return both[0];
    }

    /** Thresholded structures and their colours (zero on an empty structure), as mdt sample. */
    private VoxelBatch[] run(int[] labels, long seed, int batch) {
      VoxelBatch occupancy =
          ThresholdedStructures.occupancy(
              SeededSampling.sample(structure, s1, labels, seed, batch), p.card().threshold());
      return new VoxelBatch[] {occupancy, colour(occupancy, seed, batch)};
    }

    private VoxelBatch colour(VoxelBatch occupancy, long seed, int batch) {
      return ThresholdedStructures.colour(
          appearance,
          s2,
          occupancy,
          ThresholdedStructures.consecutiveSeeds(seed, occupancy.count()),
          batch);
    }

    /**
     * The report row is the structure stage's, so its speed is the structure stage's alone
     * (measured once: the pipeline section reuses it).
     */
    @Override
    public double latencyMs() {
      if (structureLatency == null) {
        structureLatency =
            ModelEvaluation.latencyMs(
                labels -> SeededSampling.sample(structure, s1, labels, 1_000_000L, 1));
      }
      return structureLatency;
    }

    @Override
    public double throughput() {
      if (structureThroughput == null) {
        structureThroughput =
            ModelEvaluation.throughput(
                labels ->
                    SeededSampling.sample(
                        structure, s1, labels, 2_000_000L, ModelEvaluation.THROUGHPUT_BATCH));
      }
      return structureThroughput;
    }

    @Override
    public Figures pipeline(long seed) {
      // The appearance stage alone on a structure that is certain to be non-empty (the full
      // grid), so it always has work whatever the structure stage makes.
      double appearanceLatency =
          ModelEvaluation.latencyMs(labels -> colour(full(labels), 1_000_000L, 1));
      double appearanceThroughput =
          ModelEvaluation.throughput(
              labels -> colour(full(labels), 2_000_000L, ModelEvaluation.THROUGHPUT_BATCH));
      Map<String, Stage> stages = new LinkedHashMap<>();
      stages.put(
          Pipelines.STRUCTURE,
          new Stage(
              p.structure().dir().toString(),
              p.structure().digest(),
              s1.steps(),
              s1.cfgStrength(),
              s1.nfe(),
              latencyMs(),
              throughput()));
      stages.put(
          Pipelines.APPEARANCE,
          new Stage(
              p.appearance().dir().toString(),
              p.appearance().digest(),
              s2.steps(),
              s2.cfgStrength(),
              s2.nfe(),
              appearanceLatency,
              appearanceThroughput));
      double[] all = offPalette.stream().flatMapToDouble(Arrays::stream).toArray();
      return new Figures(
          p.artifact().digest(),
          p.card().threshold(),
          stages,
          note == null ? OffPaletteError.estimate(all, Bootstrap.DEFAULT_REPLICATES, seed) : null,
          note,
          shapes,
          empty,
          s1.nfe() + s2.nfe(),
          ModelEvaluation.latencyMs(labels -> run(labels, 1_000_000L, 1)),
          ModelEvaluation.throughput(
              labels -> run(labels, 2_000_000L, ModelEvaluation.THROUGHPUT_BATCH)));
    }

    private VoxelBatch full(int[] labels) {
      int r = resolution();
      float[] data = new float[labels.length * r * r * r];
      Arrays.fill(data, 1f);
      return new VoxelBatch(data, labels.clone(), labels.length, 1, r);
    }
  }
}
