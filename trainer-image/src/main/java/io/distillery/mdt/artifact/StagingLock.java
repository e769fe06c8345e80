package io.distillery.mdt.artifact;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock file an {@link ArtifactWriter} holds while it stages: the operating system releases it
 * when the process dies, so a staging folder whose lock can be taken is a killed writer's leftover.
 */
final class StagingLock {
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private StagingLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates {@code file} and locks it; fails if it exists (UUID names never collide). */
  static StagingLock acquire(Path file) throws IOException {
    FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileLock lock = ch.tryLock();
    if (lock == null) {
      ch.close();
      throw new IOException(file + ": locked by another process");
    }
    return new StagingLock(file, ch, lock);
  }

  /**
   * The lock of a leftover staging folder, taken, or null when a live writer (in this or another
   * process) holds it. A missing lock file counts as stale: every writer creates its lock before
   * its folder and deletes it only after the folder is gone or renamed.
   */
  static StagingLock ifStale(Path file) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      return new StagingLock(file, null, null);
    }
    try {
      FileLock lock = ch.tryLock();
      if (lock != null) {
        return new StagingLock(file, ch, lock);
      }
    } catch (OverlappingFileLockException e) {
      // held by a writer in this JVM
    }
    ch.close();
    return null;
  }

  /** Deletes the lock file, then releases the lock. */
  void releaseAndDelete() throws IOException {
    try {
      Files.deleteIfExists(file);
    } finally {
      if (channel != null) {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
        channel.close();
      }
    }
  }
}
