package io.distillery.operator.testing.fakes;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** Claims and the static volumes that back them where a cluster has no provisioner. */
public final class Storage {
  private Storage() {}

  /** A ReadWriteOnce claim of {@code size} with the cluster's default class. */
  public static PersistentVolumeClaim claim(String name, String size) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity(size))
        .endResources()
        .endSpec()
        .build();
  }

  /** A ReadWriteOnce hostPath volume of {@code size} at {@code path}, for the PV controller. */
  public static PersistentVolume hostPathVolume(String name, String path, String size) {
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withCapacity(Map.of("storage", new Quantity(size)))
        .withAccessModes("ReadWriteOnce")
        .withNewHostPath()
        .withPath(path)
        .endHostPath()
        .endSpec()
        .build();
  }
}
