package io.distillery.mdt.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.train.FlowMatchingLoss;
import io.distillery.mdt.train.SyntheticData;
import io.distillery.mdt.train.TrainingLoop;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingThroughputTest {

  @Test
  void countsTheFlopsOfATinyTransformerFromItsLayers() {
    // TinySpecs.tiny(): resolution 8, patch 4 (8 tokens of 64 values), width 24, MLP 48, 2 blocks,
    // 3 classes. Matrix products, 2 m k n each, per sample:
    long input = 2L * 8 * 64 * 24;
    long timestep = 2L * 256 * 24 + 2L * 24 * 24;
    long classes = 2L * 4 * 24;
    long block =
        2L * 24 * 144 // adaLN
            + 2L * 8 * 24 * 72 // qkv
            + 2L * 8 * 8 * 24 * 2 // scores and values
            + 2L * 8 * 24 * 24 // out
            + 2L * 8 * 24 * 48 * 2; // MLP
    long output = 2L * 24 * 48 + 2L * 8 * 24 * 64;
    assertThat(NetworkFlops.forwardPerSample(TinySpecs.tiny()))
        .isEqualTo(input + timestep + classes + 2 * block + output)
        .isEqualTo(238_656);
    assertThat(NetworkFlops.largestTokenLayer(TinySpecs.tiny()))
        .isEqualTo(new NetworkFlops.Layer("attn.to_qkv", 24, 72));
    assertThat(NetworkFlops.tokens(TinySpecs.tiny())).isEqualTo(8);
  }

  @Test
  void accountsForATeacherTrainingStepWithSharesThatAddUp(@TempDir Path dir) throws Exception {
    TrainerConfig.Hyperparameters h = new TrainerConfig.Hyperparameters();
    h.batchSize = 4;
    h.learningRate = 1e-3;
    h.warmupSteps = 0;
    try (FlowTransformer model = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      long perSample = NetworkFlops.forwardPerSample(TinySpecs.tiny());
      TimedModel timed = new TimedModel(model, TimedModel.Role.TRAINED, perSample);
      TrainingThroughput.Workload w =
          new TrainingThroughput.Workload() {
            @Override
            public String name() {
              return "tiny teacher training";
            }

            @Override
            public TrainerConfig.ModelSpec spec() {
              return TinySpecs.tiny();
            }

            @Override
            public Weights trained() {
              return model.weights();
            }

            @Override
            public List<TimedModel> networks() {
              return List.of(timed);
            }

            @Override
            public TrainingLoop.StepLoss loss(Weights emaShadow) {
              return new FlowMatchingLoss(timed, new SyntheticData(16), 4, 0.1, 1.0, 1.0, 3);
            }

            @Override
            public void close() {}
          };
      TrainingThroughput.Result r = TrainingThroughput.measure(w, h, 1, 3, dir);

      assertThat(r.fractions().keySet()).containsExactlyElementsOf(TrainingThroughput.COMPONENTS);
      double sum = r.fractions().values().stream().mapToDouble(Double::doubleValue).sum();
      assertThat(sum).isLessThanOrEqualTo(1 + 1e-9).isGreaterThan(0.999);
      assertThat(r.fractions().values()).allSatisfy(f -> assertThat(f).isBetween(0.0, 1.0));
      // No frozen teacher in teacher training; the trained network runs forward and backward.
      assertThat(r.fractions().get("teacherForward")).isZero();
      assertThat(r.msPerStep().get("trainedForward")).isPositive();
      assertThat(r.msPerStep().get("trainedBackward")).isPositive();
      // One forward with gradient of the batch and its backward (twice the forward).
      assertThat(r.gflopPerStep()).isCloseTo(3.0 * 4 * perSample / 1e9, within(1e-12));
      assertThat(r.samplesPerSec()).isCloseTo(4 / (r.loopMsPerStep() / 1e3), within(1e-6));
      assertThat(r.peak().m()).isEqualTo(4 * 8);
      assertThat(r.peak().gflops()).isPositive();
      // Its checkpoints went to a scratch directory that is gone.
      try (var left = java.nio.file.Files.list(dir)) {
        assertThat(left).isEmpty();
      }

      JsonNode json = new ObjectMapper().valueToTree(r);
      for (String field :
          List.of(
              "workload",
              "samplesPerSec",
              "loopMsPerStep",
              "accountedMsPerStep",
              "fractions",
              "msPerStep",
              "gflopPerStep",
              "gflopsOfStep",
              "gflopsInNetworks",
              "peak",
              "fractionOfPeak")) {
        assertThat(json.has(field)).as(field).isTrue();
      }
      assertThat(json.path("peak").path("gflops").asDouble()).isPositive();
      String table = TrainingThroughput.markdown(List.of(r));
      assertThat(table)
          .contains("| tiny teacher training | 4 |")
          .contains("samples/s")
          .contains("trained bwd")
          .contains("matmul peak");
      assertThat(TrainingThroughput.line(r)).startsWith("tiny teacher training: ");
    }
  }

  @Test
  void medianOfEvenAndOddCounts() {
    assertThat(TrainingThroughput.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(TrainingThroughput.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }
}
