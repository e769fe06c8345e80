package io.distillery.mdt.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a use of freed Java direct memory visible: collects garbage (so the cleaners of unreachable
 * direct buffers free their memory) and then fills small new direct buffers, which malloc hands the
 * freed chunks to, with NaN. A tensor still reading such memory then reads NaN instead of the value
 * that happened to survive there.
 */
public final class FreedDirectMemory {
  private FreedDirectMemory() {}

  /** Returns the poison buffers; hold them until the read under test is done. */
  public static List<ByteBuffer> collectAndPoison() throws InterruptedException {
    List<ByteBuffer> poison = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(50); // the Cleaner thread frees the buffers
      for (int i = 0; i < 2000; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
        b.putFloat(0, Float.NaN);
        poison.add(b);
      }
    }
    return poison;
  }
}
