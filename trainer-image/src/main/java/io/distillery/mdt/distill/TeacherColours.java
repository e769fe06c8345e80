package io.distillery.mdt.distill;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.Contender;
import io.distillery.mdt.data.AppearanceStructures;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.sampling.SeededSampling;

/**
 * Training samples for an appearance distillation on structures that carry no colours: the
 * teacher's own colours on each structure, from its reference sampler ({@code teacher.sampler}) and
 * noise seeded by {@code dataset.seed}. The objectives diffuse a data sample {@code x0}; here it is
 * the teacher's, so the student learns from the teacher alone.
 */
final class TeacherColours {
  private TeacherColours() {}

  static LoadedDataset on(TrainerConfig cfg, Teacher teacher, AppearanceStructures structures) {
    VoxelBatch occupancy = structures.occupancy();
    TrainerConfig.Sampler ts = cfg.teacher.sampler;
    Contender reference = Contender.teacher(teacher.model(), ts, ts.steps);
    long began = System.nanoTime();
    VoxelBatch colours =
        SeededSampling.sample(
            teacher.model(),
            reference.sampler(),
            occupancy.labels(),
            cfg.dataset.seed,
            SeededSampling.DEFAULT_BATCH,
            occupancy);
    System.err.printf(
        "teacher coloured %d training structures at %d steps in %.1f s%n",
        occupancy.count(), ts.steps, (System.nanoTime() - began) / 1e9);
    return new LoadedDataset(colours, structures.classNames(), occupancy);
  }
}
