package io.distillery.mdt.model;

import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.CorruptArtifactException;

/**
 * An intact artifact whose model.json names a format this code does not read (a newer version, or a
 * model kind it no longer knows): invalid input like a corrupt artifact (exit 3).
 */
public final class UnsupportedArtifactException extends CorruptArtifactException {
  public UnsupportedArtifactException(String message) {
    super(Artifact.MODEL_JSON, message);
  }
}
