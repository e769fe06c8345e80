package io.distillery.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaseNamespaceTest {
  @Test
  void theConfiguredNamespaceWins() {
    assertThat(LeaseNamespace.resolve(Optional.of("ops"), "team").name()).isEqualTo("ops");
  }

  @Test
  void elseTheClientsNamespace() {
    assertThat(LeaseNamespace.resolve(Optional.of(" "), "team").name()).isEqualTo("team");
  }

  @Test
  void outsideAPodWithoutANamespaceItIsDefaultAndTheLogSaysHowToChooseOne() {
    LeaseNamespace ns = LeaseNamespace.resolve(Optional.empty(), null);
    assertThat(ns.name()).isEqualTo("default");
    assertThat(ns.source()).contains("DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE");
  }
}
