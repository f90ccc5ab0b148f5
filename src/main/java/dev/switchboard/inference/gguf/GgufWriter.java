package dev.switchboard.inference.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: used to make random-weight models for tests and synthetic benchmarks, and vocabularies
 * converted from other formats. Metadata values use the same Java types {@link GgufFile} returns
 * ({@code Long} is written as uint64, {@code float[]} as an array of float32 and so on). A scalar {@code Integer} is
 * written as uint32 when it is not negative (int32 otherwise): llama.cpp reads counts, lengths and token ids only as
 * uint32 and refuses a file holding them as int32, while {@link GgufFile} reads either back as an {@code Integer}.
 */
public final class GgufWriter {
    private static final int ALIGNMENT = 32;

    /** Produces a tensor's raw bytes (already in its ggml type's layout) into the stream. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Tensor(String name, long[] shape, GgmlType type, long size, TensorData data) {}

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter put(String key, Object value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor; {@code shape} is in ggml order (columns first). */
    public GgufWriter tensor(String name, long[] shape, GgmlType type, TensorData data) {
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        tensors.add(new Tensor(name, shape.clone(), type, type.byteSize(elements), data));
        return this;
    }

    /** Adds a tensor from bytes already laid out in {@code type}'s format. */
    public GgufWriter tensor(String name, long[] shape, GgmlType type, byte[] bytes) {
        return tensor(name, shape, type, out -> out.write(bytes));
    }

    /** Adds an F32 tensor. */
    public GgufWriter tensor(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return tensor(name, shape, GgmlType.F32, b.array());
    }

    public void write(Path path) throws IOException {
        try (OutputStream raw = Files.newOutputStream(path);
             CountingStream out = new CountingStream(new BufferedOutputStream(raw, 1 << 20))) {
            out.int32(0x46554747);
            out.int32(3);
            out.int64(tensors.size());
            out.int64(metadata.size());
            for (Map.Entry<String, Object> e : metadata.entrySet()) {
                out.string(e.getKey());
                writeValue(out, e.getValue(), true);
            }
            long offset = 0;
            for (Tensor t : tensors) {
                out.string(t.name);
                out.int32(t.shape.length);
                for (long d : t.shape) {
                    out.int64(d);
                }
                out.int32(t.type.id);
                out.int64(offset);
                offset = align(offset + t.size);
            }
            out.pad();
            for (Tensor t : tensors) {
                long start = out.count;
                t.data.writeTo(out);
                if (out.count - start != t.size) {
                    throw new IOException("tensor '" + t.name + "' wrote " + (out.count - start)
                            + " bytes, its shape and type need " + t.size);
                }
                out.pad();
            }
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(CountingStream out, Object v, boolean withType) throws IOException {
        switch (v) {
            case Integer i -> { if (withType) out.int32(i >= 0 ? 4 : 5); out.int32(i); }
            case Long l -> { if (withType) out.int32(10); out.int64(l); }
            case Float f -> { if (withType) out.int32(6); out.int32(Float.floatToRawIntBits(f)); }
            case Double d -> { if (withType) out.int32(12); out.int64(Double.doubleToRawLongBits(d)); }
            case Boolean b -> { if (withType) out.int32(7); out.write(b ? 1 : 0); }
            case String s -> { if (withType) out.int32(8); out.string(s); }
            case int[] a -> { out.int32(9); out.int32(5); out.int64(a.length); for (int x : a) out.int32(x); }
            case long[] a -> { out.int32(9); out.int32(10); out.int64(a.length); for (long x : a) out.int64(x); }
            case float[] a -> {
                out.int32(9); out.int32(6); out.int64(a.length);
                for (float x : a) out.int32(Float.floatToRawIntBits(x));
            }
            case String[] a -> { out.int32(9); out.int32(8); out.int64(a.length); for (String x : a) out.string(x); }
            default -> throw new IllegalArgumentException("cannot write metadata of type " + v.getClass());
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final byte[] scratch = new byte[8];
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        void int32(int v) throws IOException {
            ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v);
            write(scratch, 0, 4);
        }

        void int64(long v) throws IOException {
            ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            write(scratch, 0, 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            int64(b.length);
            write(b, 0, b.length);
        }

        void pad() throws IOException {
            while (count % ALIGNMENT != 0) {
                write(0);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
