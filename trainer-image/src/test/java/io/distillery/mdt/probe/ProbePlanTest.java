package io.distillery.mdt.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProbePlanTest {
  static final List<String> CLASSES = List.of("box", "cone", "torus");

  @Test
  void probesGoRoundTheClassesAndBatchUpToTheServersMaxCount() {
    ProbePlan plan = new ProbePlan(CLASSES, 10, 0);
    List<ProbeRequest> r = plan.requests(ProbePlan.Draw.SAME, 2);
    // Probes 0..9 over 3 classes: box 4 (0, 3, 6, 9), cone 3, torus 3; in requests of <= 2.
    assertThat(r)
        .extracting(ProbeRequest::className)
        .containsExactly("box", "box", "cone", "cone", "torus", "torus");
    assertThat(r).extracting(ProbeRequest::count).containsExactly(2, 2, 2, 1, 2, 1);
    assertThat(r.get(1).seed()).isEqualTo(r.get(0).seed() + 2);
  }

  @Test
  void sampleSeedsDoNotDependOnTheMaxCountAndTheDrawsDiffer() {
    ProbePlan plan = new ProbePlan(CLASSES, 32, 7);
    assertThat(seeds(plan.requests(ProbePlan.Draw.SAME, 1)))
        .isEqualTo(seeds(plan.requests(ProbePlan.Draw.SAME, 4)));
    Set<Long> same = seeds(plan.requests(ProbePlan.Draw.SAME, 4));
    Set<Long> other = seeds(plan.requests(ProbePlan.Draw.OTHER, 4));
    assertThat(same).hasSize(32).doesNotContainAnyElementsOf(other);
    assertThat(seeds(new ProbePlan(CLASSES, 32, 7).requests(ProbePlan.Draw.SAME, 4)))
        .as("reproducible from --seed")
        .isEqualTo(same);
    assertThat(seeds(new ProbePlan(CLASSES, 32, 8).requests(ProbePlan.Draw.SAME, 4)))
        .isNotEqualTo(same);
  }

  private static Set<Long> seeds(List<ProbeRequest> requests) {
    Set<Long> s = new HashSet<>();
    for (ProbeRequest r : requests) {
      for (int i = 0; i < r.count(); i++) {
        s.add(r.seed() + i);
      }
    }
    return s;
  }
}
