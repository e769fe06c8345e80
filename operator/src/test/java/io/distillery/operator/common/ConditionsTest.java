package io.distillery.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void transitionTimeStaysWhenOnlyReasonOrMessageChange() {
    var first = Conditions.with(List.of(), "Ready", true, "A", "one", 1, T0);
    var second = Conditions.with(first, "Ready", true, "B", "two", 2, T0.plusSeconds(60));
    assertThat(second)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getReason()).isEqualTo("B");
              assertThat(c.getObservedGeneration()).isEqualTo(2L);
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
            });
  }

  @Test
  void transitionTimeMovesWhenTheStatusChanges() {
    var first = Conditions.with(List.of(), "Ready", true, "A", "", 1, T0);
    var flipped = Conditions.with(first, "Ready", false, "A", "", 1, T0.plusSeconds(61));
    assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo("2026-01-01T00:01:01Z");
    assertThat(Conditions.isTrue(flipped, "Ready")).isFalse();
  }

  @Test
  void otherConditionsKeepTheirPlace() {
    var list = Conditions.with(List.of(), "A", true, "r", "", 1, T0);
    list = Conditions.with(list, "B", true, "r", "", 1, T0);
    list = Conditions.with(list, "A", false, "r", "", 1, T0);
    assertThat(list).extracting(c -> c.getType()).containsExactly("A", "B");
  }
}
