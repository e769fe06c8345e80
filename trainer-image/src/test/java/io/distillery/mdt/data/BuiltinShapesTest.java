package io.distillery.mdt.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.data.BuiltinShapes.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BuiltinShapesTest {

  @Test
  void sameSeedGivesSameShapesAndSamplesDoNotDependOnCount() {
    VoxelBatch a = BuiltinShapes.generate(16, 64, 3, Split.TRAIN);
    VoxelBatch b = BuiltinShapes.generate(16, 64, 3, Split.TRAIN);
    VoxelBatch prefix = BuiltinShapes.generate(16, 40, 3, Split.TRAIN);
    assertThat(a.data()).isEqualTo(b.data());
    assertThat(a.labels()).isEqualTo(b.labels());
    assertThat(a.slice(0, 40).data()).isEqualTo(prefix.data());
    VoxelBatch other = BuiltinShapes.generate(16, 64, 4, Split.TRAIN);
    assertThat(other.data()).isNotEqualTo(a.data());
  }

  @Test
  void classesAreBalanced() {
    int k = BuiltinShapes.CLASS_NAMES.size();
    assertThat(k).isGreaterThanOrEqualTo(8);
    VoxelBatch batch = BuiltinShapes.generate(16, 20 * k, 1, Split.TRAIN);
    int[] counts = new int[k];
    for (int label : batch.labels()) {
      counts[label]++;
    }
    assertThat(counts).containsOnly(20);
    // Not simply round-robin: the order within blocks is shuffled.
    assertThat(Arrays.copyOf(batch.labels(), 2 * k))
        .isNotEqualTo(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7});
  }

  @Test
  void heldOutSplitNeverRepeatsATrainingShape() {
    VoxelBatch train = BuiltinShapes.generate(16, 2048, 7, Split.TRAIN);
    VoxelBatch held = BuiltinShapes.generate(16, 256, 7, Split.HELD_OUT);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < train.count(); i++) {
      seen.add(Arrays.toString(train.occupancy(i)));
    }
    for (int i = 0; i < held.count(); i++) {
      assertThat(seen).doesNotContain(Arrays.toString(held.occupancy(i)));
    }
  }

  @Test
  void shapesFillAReasonableFractionAndStayOffNoBorderCuts() {
    for (int res : new int[] {16, 32}) {
      VoxelBatch batch = BuiltinShapes.generate(res, 160, 11, Split.TRAIN);
      assertThat(batch.resolution()).isEqualTo(res);
      double[] fillByClass = new double[BuiltinShapes.CLASS_NAMES.size()];
      for (int i = 0; i < batch.count(); i++) {
        float[] occ = batch.occupancy(i);
        double filled = 0;
        for (float v : occ) {
          filled += v;
        }
        double fraction = filled / occ.length;
        assertThat(fraction).as("fill of sample %d at %d^3", i, res).isBetween(0.01, 0.6);
        fillByClass[batch.labels()[i]] += fraction / 20;
      }
      for (int c = 0; c < fillByClass.length; c++) {
        assertThat(fillByClass[c])
            .as("mean fill of %s", BuiltinShapes.CLASS_NAMES.get(c))
            .isGreaterThan(0.03);
      }
      for (float v : batch.data()) {
        assertThat(v == 1f || v == -1f).isTrue();
      }
    }
  }

  @Test
  void classesHaveDifferentGeometry() {
    // Mean occupancy profile along the vertical axis differs between classes (e.g. cone vs table).
    int k = BuiltinShapes.CLASS_NAMES.size();
    VoxelBatch batch = BuiltinShapes.generate(16, 40 * k, 5, Split.TRAIN);
    Set<String> signatures = new HashSet<>();
    for (int c = 0; c < k; c++) {
      double[] fill = new double[2];
      int n = 0;
      for (int i = 0; i < batch.count(); i++) {
        if (batch.labels()[i] != c) {
          continue;
        }
        n++;
        float[] occ = batch.occupancy(i);
        fill[0] += sum(occ) / occ.length;
        fill[1] += surfaceRatio(occ, 16);
      }
      signatures.add(String.format("%.2f/%.2f", fill[0] / n, fill[1] / n));
    }
    assertThat(signatures).hasSize(k);
  }

  @Test
  void everyClassVoxelisesEachOfItsParts() {
    int k = BuiltinShapes.CLASS_NAMES.size();
    assertThat(BuiltinShapes.PART_NAMES).hasSize(k);
    List<Set<Integer>> seen = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      seen.add(new HashSet<>());
    }
    for (int i = 0; i < 6 * k; i++) {
      BuiltinShapes.PartGrid grid = BuiltinShapes.sample(32, 2, Split.TRAIN, i);
      for (int j = 0; j < grid.part().length; j++) {
        byte part = grid.part()[j];
        if (part != BuiltinShapes.EMPTY) {
          seen.get(grid.label()).add((int) part);
          assertThat(grid.height()[j]).isBetween(0f, 1f);
        } else {
          assertThat(grid.height()[j]).isZero();
        }
      }
    }
    for (int c = 0; c < k; c++) {
      assertThat(seen.get(c))
          .as("parts of %s", BuiltinShapes.CLASS_NAMES.get(c))
          .isEqualTo(
              IntStream.range(0, BuiltinShapes.PART_NAMES.get(c).size())
                  .boxed()
                  .collect(Collectors.toSet()));
    }
  }

  @Test
  void generatesAFullTrainingSplit() {
    VoxelBatch batch = BuiltinShapes.generate(16, 4096, 99, Split.TRAIN);
    assertThat(batch.count()).isEqualTo(4096);
    assertThat(java.util.Arrays.stream(batch.labels()).distinct().count())
        .isEqualTo(BuiltinShapes.CLASS_NAMES.size());
  }

  private static double sum(float[] v) {
    double s = 0;
    for (float f : v) {
      s += f;
    }
    return s;
  }

  /** Exposed faces per filled voxel: thin parts (legs, rings) expose more. */
  private static double surfaceRatio(float[] occ, int r) {
    int faces = 0;
    int filled = 0;
    int[][] dirs = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int x = 0; x < r; x++) {
      for (int y = 0; y < r; y++) {
        for (int z = 0; z < r; z++) {
          if (occ[(x * r + y) * r + z] == 0) {
            continue;
          }
          filled++;
          for (int[] d : dirs) {
            int nx = x + d[0];
            int ny = y + d[1];
            int nz = z + d[2];
            boolean inside = nx >= 0 && ny >= 0 && nz >= 0 && nx < r && ny < r && nz < r;
            if (!inside || occ[(nx * r + ny) * r + nz] == 0) {
              faces++;
            }
          }
        }
      }
    }
    return (double) faces / filled;
  }
}
