package io.distillery.mdt.probe;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The samples one side answered to one draw, with the class each was asked for. */
final class SideSamples {
  final String side;
  final List<boolean[]> grids = new ArrayList<>();
  final List<String> asked = new ArrayList<>();
  final Set<String> digests = new LinkedHashSet<>();
  int resolution;
  int empty;

  SideSamples(String side) {
    this.side = side;
  }

  void add(ProbeRequest request, ProbeAnswer answer) throws ProbeFailure {
    if (resolution != 0 && resolution != answer.resolution()) {
      throw new ProbeFailure(
          side + " pods answered grids of " + resolution + "^3 and " + answer.resolution() + "^3");
    }
    resolution = answer.resolution();
    grids.addAll(answer.grids());
    for (int i = 0; i < answer.grids().size(); i++) {
      asked.add(request.className());
    }
    digests.add(answer.digest());
    empty += answer.empty();
  }

  /** Both draws of one side together. */
  static SideSamples union(SideSamples a, SideSamples b) throws ProbeFailure {
    SideSamples u = new SideSamples(a.side);
    for (SideSamples s : List.of(a, b)) {
      if (u.resolution != 0 && s.resolution != u.resolution) {
        throw new ProbeFailure(a.side + " pods answered grids of two resolutions");
      }
      u.resolution = s.resolution;
      u.grids.addAll(s.grids);
      u.asked.addAll(s.asked);
      u.digests.addAll(s.digests);
      u.empty += s.empty;
    }
    return u;
  }

  double emptyRate() {
    return grids.isEmpty() ? 0 : (double) empty / grids.size();
  }
}
