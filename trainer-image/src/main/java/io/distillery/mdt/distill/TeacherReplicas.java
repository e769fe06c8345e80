package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.mdt.model.VelocityModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The frozen teacher on every data-parallel device, replica order: the teacher itself where it
 * already lives (replicas on one device share it: it is only read), a copy elsewhere (closed here).
 */
final class TeacherReplicas implements AutoCloseable {
  private final Teacher teacher;
  private final List<VelocityModel> models = new ArrayList<>();

  TeacherReplicas(Teacher teacher, List<Device> devices) throws IOException {
    this.teacher = teacher;
    try {
      for (Device d : devices) {
        models.add(teacher.replicaOn(d));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  List<VelocityModel> models() {
    return List.copyOf(models);
  }

  @Override
  public void close() {
    for (VelocityModel m : models) {
      if (teacher.isCopy(m)) {
        m.close();
      }
    }
  }
}
