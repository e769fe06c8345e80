package io.distillery.operator.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Writes a dataset shard as the trainer reads it, a NumPy {@code .npz} with float32 {@code x} and
 * int64 {@code y} (NPY format 1.0), and reads the array headers of one. The operator's tests have
 * no DJL or NumPy for that.
 */
public final class NpzFile {
  private NpzFile() {}

  /** {@code x} of {@code shape} (first dimension = samples) and one label per sample. */
  public static void write(Path file, float[] x, long[] shape, long[] y) throws IOException {
    Files.createDirectories(file.getParent());
    ByteBuffer xs = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      xs.putFloat(v);
    }
    ByteBuffer ys = ByteBuffer.allocate(8 * y.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : y) {
      ys.putLong(v);
    }
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      entry(zip, "x.npy", "<f4", shape, xs.array());
      entry(zip, "y.npy", "<i8", new long[] {y.length}, ys.array());
    }
  }

  /** The NPY header (its dict, e.g. {@code {'descr': '<f4', ..., 'shape': (2, 3), }}) by entry. */
  public static Map<String, String> headers(byte[] npz) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        byte[] start = zip.readNBytes(10);
        int len = (start[8] & 0xff) | (start[9] & 0xff) << 8;
        headers.put(
            e.getName(), new String(zip.readNBytes(len), StandardCharsets.US_ASCII).strip());
      }
    }
    return headers;
  }

  private static void entry(
      ZipOutputStream zip, String name, String dtype, long[] shape, byte[] data)
      throws IOException {
    String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
    String header =
        "{'descr': '"
            + dtype
            + "', 'fortran_order': False, 'shape': ("
            + dims
            + (shape.length == 1 ? "," : "")
            + "), }";
    // Magic (6) + version (2) + length (2) + header + padding + newline: a multiple of 64.
    int total = 10 + header.length() + 1;
    header = header + " ".repeat((64 - total % 64) % 64) + "\n";
    zip.putNextEntry(new ZipEntry(name));
    zip.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    int len = header.length();
    zip.write(new byte[] {(byte) (len & 0xff), (byte) (len >> 8)});
    zip.write(header.getBytes(StandardCharsets.US_ASCII));
    zip.write(data);
    zip.closeEntry();
  }
}
