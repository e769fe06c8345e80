package io.distillery.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerPathsTest {
  final ContainerPaths paths =
      new ContainerPaths(
          Map.of(
              "/var/lib/distillery/output", Path.of("/host/pv-0"),
              "/var/lib/distillery/output/inputs", Path.of("/host/pv-1"),
              "/etc/distillery/", Path.of("/host/pod/config"),
              "/dev/termination-log", Path.of("/host/pod/termination-log")));

  @Test
  void mountedPathsAndTheirChildrenMapToTheHostDirectory() {
    assertThat(paths.translate(List.of("distill", "--config", "/etc/distillery/trainer.yaml")))
        .containsExactly("distill", "--config", "/host/pod/config/trainer.yaml");
    assertThat(paths.hostPath("/var/lib/distillery/output")).isEqualTo("/host/pv-0");
    assertThat(paths.hostPath("/var/lib/distillery/output/inputs/a.npz"))
        .isEqualTo("/host/pv-1/a.npz");
  }

  @Test
  void pathsInsideTextAreRewrittenOnlyAsWholePrefixes() {
    String yaml =
        "output:\n  dir: /var/lib/distillery/output/shapes\n"
            + "terminationMessagePath: \"/dev/termination-log\"\n"
            + "note: /var/lib/distillery/outputs/x /x/var/lib/distillery/output pvc://var/lib\n";
    assertThat(paths.translate(yaml))
        .isEqualTo(
            "output:\n  dir: /host/pv-0/shapes\n"
                + "terminationMessagePath: \"/host/pod/termination-log\"\n"
                + "note: /var/lib/distillery/outputs/x /x/var/lib/distillery/output pvc://var/lib\n");
  }

  @Test
  void whatTheContainerWritesIsReadBackInItsOwnPaths() {
    assertThat(
            paths.toContainerView(
                "{\"artifact\":\"/host/pv-0/shapes/student-mdt\",\"x\":\"/host/pv-01\"}"))
        .isEqualTo(
            "{\"artifact\":\"/var/lib/distillery/output/shapes/student-mdt\",\"x\":\"/host/pv-01\"}");
  }

  @Test
  void aHostDirectoryUnderAMountedPathIsNotRewrittenAgain() {
    ContainerPaths withTmp =
        new ContainerPaths(
            Map.of(
                "/models", Path.of("/tmp/cluster/pv-1"), "/tmp", Path.of("/tmp/cluster/pod/tmp")));
    assertThat(withTmp.translate(List.of("--model", "/models/shapes/student", "/tmp/x")))
        .containsExactly("--model", "/tmp/cluster/pv-1/shapes/student", "/tmp/cluster/pod/tmp/x");
    assertThat(withTmp.toContainerView("/tmp/cluster/pv-1/a /tmp/cluster/pod/tmp/b /tmp/c"))
        .isEqualTo("/models/a /tmp/b /tmp/c");
  }

  @Test
  void unmountedPathsStayAsTheyAre() {
    assertThat(paths.hostPath("/usr/share/models")).isEqualTo("/usr/share/models");
    assertThat(paths.translate("builtin:shipped")).isEqualTo("builtin:shipped");
  }
}
