package io.distillery.mdt.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TimeGridTest {

  @Test
  void linearGridIsLinspaceFromOneToZero() {
    assertThat(TimeGrid.of(4, 1.0)).containsExactly(1.0, 0.75, 0.5, 0.25, 0.0);
    assertThat(TimeGrid.of(1, 1.0)).containsExactly(1.0, 0.0);
  }

  @Test
  void rescaleFollowsTheTrellisFormulaAndKeepsTheEnds() {
    double[] g = TimeGrid.of(2, 3.0);
    assertThat(g[0]).isEqualTo(1.0);
    assertThat(g[1]).isCloseTo(3 * 0.5 / (1 + 2 * 0.5), within(1e-12));
    assertThat(g[2]).isEqualTo(0.0);
  }

  @Test
  void rejectsStepsBelowOneAndNonPositiveRescale() {
    assertThatThrownBy(() -> TimeGrid.of(0, 1)).hasMessageContaining("steps must be at least 1");
    assertThatThrownBy(() -> TimeGrid.of(3, 0)).hasMessageContaining("rescaleT");
  }
}
