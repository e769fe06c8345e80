package io.distillery.mdt.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.mdt.bench.Generation;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.VoxelBatch;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleGridTest {
  private static final List<String> CLASSES = BuiltinShapes.CLASS_NAMES;

  @TempDir Path tmp;

  /** Samples as Generation labels them (class k mod 8), sample k's grid marked with k voxels. */
  private static VoxelBatch generated(int count) {
    int r = 8;
    float[] data = new float[count * r * r * r];
    for (int k = 0; k < count; k++) {
      for (int v = 0; v <= k; v++) {
        data[k * r * r * r + v] = 1;
      }
    }
    return new VoxelBatch(data, Generation.labels(count, CLASSES.size()), count, 1, r);
  }

  private static List<SampleGrid.Row> comparisonRows(int samples) {
    List<SampleGrid.Row> rows = new ArrayList<>();
    String[] methods = {"teacher", "teacher", "cm", "mdt", "mdt"};
    int[] steps = {25, 1, 1, 1, 2};
    for (int i = 0; i < methods.length; i++) {
      rows.add(SampleGrid.row(methods[i], steps[i], generated(samples)));
    }
    return rows;
  }

  @Test
  void twoColumnsPerClassInClassOrderEachTheSameSampleInEveryRow() {
    List<SampleGrid.Row> rows = comparisonRows(128);
    SampleGrid.Layout l = SampleGrid.layout("title", rows, CLASSES);

    assertThat(l.rowLabels()).containsExactly("teacher 25", "teacher 1", "CM 1", "MDT 1", "MDT 2");
    assertThat(l.columns()).hasSize(16);
    assertThat(l.headers()).extracting(SampleGrid.Header::className).isEqualTo(CLASSES);
    for (int j = 0; j < 16; j++) {
      SampleGrid.Column c = l.columns().get(j);
      // Column j: class j / 2, its (j % 2)-th sample: index class + (j % 2) * 8.
      assertThat(c.classIndex()).isEqualTo(j / 2);
      assertThat(c.className()).isEqualTo(CLASSES.get(j / 2));
      assertThat(c.sample()).isEqualTo(j / 2 + (j % 2) * 8);
      for (SampleGrid.Row row : rows) {
        assertThat(row.classes()[c.sample()]).isEqualTo(c.classIndex());
      }
    }

    // Size: margins, the row-label column and 16 cells across; title, header and 5 rows down.
    int cell = l.cell();
    assertThat(l.width()).isEqualTo(2 * SampleGrid.MARGIN + SampleGrid.ROW_LABEL_WIDTH + 16 * cell);
    assertThat(l.height())
        .isEqualTo(
            2 * SampleGrid.MARGIN + SampleGrid.TITLE_HEIGHT + SampleGrid.HEADER_HEIGHT + 5 * cell);
    Rectangle bounds = new Rectangle(0, 0, l.width(), l.height());
    assertThat(bounds.contains(l.cell(4, 15))).isTrue();

    // Labels sit beside / above their cells: row label r level with row r, to its left; the
    // header of class k exactly over its two columns, above the first row.
    for (int r = 0; r < 5; r++) {
      Rectangle label = l.rowLabel(r);
      Rectangle first = l.cell(r, 0);
      assertThat(label.y).isEqualTo(first.y);
      assertThat(label.height).isEqualTo(first.height);
      assertThat(label.x + label.width).isLessThanOrEqualTo(first.x);
    }
    for (int k = 0; k < 8; k++) {
      Rectangle h = l.header(k);
      assertThat(h.x).isEqualTo(l.cell(0, 2 * k).x);
      assertThat(h.x + h.width).isEqualTo(l.cell(0, 2 * k + 1).x + cell);
      assertThat(h.y + h.height).isLessThanOrEqualTo(l.cell(0, 0).y);
    }
  }

  @Test
  void oneColumnPerClassWhenTwoSamplesOfEachAreNotThere() {
    SampleGrid.Layout l = SampleGrid.layout("t", comparisonRows(12), CLASSES);
    assertThat(l.columns()).hasSize(8);
    assertThat(l.columns())
        .extracting(SampleGrid.Column::sample)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(l.headers()).allSatisfy(h -> assertThat(h.columnCount()).isEqualTo(1));
  }

  @Test
  void rowsWhoseClassesDoNotLineUpAreRefused() {
    List<SampleGrid.Row> rows = new ArrayList<>(comparisonRows(16));
    VoxelBatch g = generated(16);
    int[] shifted = g.labels().clone();
    shifted[0] = 1;
    rows.add(
        SampleGrid.row(
            "mdt", 4, new VoxelBatch(g.data(), shifted, 16, g.channels(), g.resolution())));
    assertThatThrownBy(() -> SampleGrid.layout("t", rows, CLASSES))
        .hasMessageContaining("would not line up");
  }

  @Test
  void theCellShowsItsColumnsSample() throws Exception {
    List<SampleGrid.Row> rows = comparisonRows(16);
    SampleGrid.Layout l = SampleGrid.layout("t", rows, CLASSES);
    // Sample k has k + 1 filled voxels, so the cell of column j shows sample l.columns()[j].
    SampleGrid.Column c = l.columns().get(5);
    float[] shown = rows.get(2).occupancies().get(c.sample());
    float filled = 0;
    for (float v : shown) {
      filled += v;
    }
    assertThat(filled).isEqualTo(c.sample() + 1);

    Path png = tmp.resolve("samples.png");
    SampleGrid.write(png, "Distillery demo", rows, CLASSES);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(l.width());
    assertThat(img.getHeight()).isEqualTo(l.height());
  }
}
