package io.distillery.mdt.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetIdentityTest {
  @Test
  void theBuiltinShapesAreIdentifiedByTheirGeneratorSettings() throws Exception {
    TrainerConfig a = new TrainerConfig();
    TrainerConfig b = new TrainerConfig();
    assertThat(DatasetIdentity.of(a)).isEqualTo(DatasetIdentity.of(b));
    assertThat(DatasetIdentity.of(a).how()).isEqualTo(DatasetIdentity.BUILTIN);
    b.dataset.seed = a.dataset.seed + 1;
    assertThat(DatasetIdentity.of(b).digest()).isNotEqualTo(DatasetIdentity.of(a).digest());
  }

  @Test
  void aFileIsIdentifiedByItsSha256(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("shard_x.npy"), new byte[] {1, 2, 3});
    TrainerConfig cfg = new TrainerConfig();
    cfg.dataset.uri = file.toString();
    DatasetIdentity id = DatasetIdentity.of(cfg);
    assertThat(id.how()).isEqualTo(DatasetIdentity.FILE);
    assertThat(id.uri()).isEqualTo(file.toString());
    assertThat(id.digest())
        .isEqualTo(
            "sha256:"
                + HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3})));
  }

  @Test
  void aDirectoryIsIdentifiedByItsListingSoAChangedOrRenamedShardChangesIt(@TempDir Path dir)
      throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/train"));
    Files.write(data.resolve("a_x.npy"), new byte[] {1, 2, 3});
    Files.writeString(dir.resolve("data/classes.txt"), "cube\n");
    TrainerConfig cfg = new TrainerConfig();
    cfg.dataset.uri = "file://" + dir.resolve("data");
    DatasetIdentity first = DatasetIdentity.of(cfg);
    assertThat(first.how()).isEqualTo(DatasetIdentity.LISTING);
    assertThat(DatasetIdentity.listing(dir.resolve("data")))
        .startsWith("classes.txt 5 ")
        .contains("\ntrain/a_x.npy 3 ");
    assertThat(DatasetIdentity.of(cfg)).isEqualTo(first);

    Files.write(data.resolve("a_x.npy"), new byte[] {1, 2, 4});
    DatasetIdentity changed = DatasetIdentity.of(cfg);
    assertThat(changed.digest()).isNotEqualTo(first.digest());
    Files.move(data.resolve("a_x.npy"), data.resolve("b_x.npy"));
    assertThat(DatasetIdentity.of(cfg).digest()).isNotEqualTo(changed.digest());
  }
}
