package io.distillery.operator.faults;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every version of every watched object as the watches delivered it, in order: for the custom
 * resources the phase and whether the status had a result; for the children the UIDs each name ever
 * had (two UIDs for one name is a duplicate: deleted and created again).
 */
final class History {
  /** One observed version of a custom resource. */
  record Version(String resourceVersion, String phase, boolean hasStatus, boolean hasResult) {}

  final Map<String, List<Version>> versions = new LinkedHashMap<>();
  final Map<String, Set<String>> uids = new LinkedHashMap<>();
  final List<String> deletions = new ArrayList<>();

  synchronized void record(HasMetadata obj) {
    String key = obj.getKind() + "/" + obj.getMetadata().getName();
    uids.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(obj.getMetadata().getUid());
    Version v = version(obj);
    if (v == null) {
      return;
    }
    List<Version> list = versions.computeIfAbsent(key, k -> new ArrayList<>());
    if (list.isEmpty()
        || !list.get(list.size() - 1).resourceVersion().equals(v.resourceVersion())) {
      list.add(v);
    }
  }

  synchronized String lastPhase(String key) {
    List<Version> list = versions.getOrDefault(key, List.of());
    return list.isEmpty() ? null : list.get(list.size() - 1).phase();
  }

  synchronized void deleted(HasMetadata obj) {
    deletions.add(obj.getKind() + "/" + obj.getMetadata().getName());
  }

  private static Version version(HasMetadata obj) {
    String rv = obj.getMetadata().getResourceVersion();
    if (obj instanceof DistillationJob dj) {
      var s = dj.getStatus();
      return new Version(
          rv,
          s == null || s.phase == null ? null : s.phase.name(),
          s != null,
          s != null && s.result != null);
    }
    if (obj instanceof StudentDeployment sd) {
      var s = sd.getStatus();
      return new Version(
          rv, s == null || s.phase == null ? null : s.phase.name(), s != null, false);
    }
    return null;
  }
}
