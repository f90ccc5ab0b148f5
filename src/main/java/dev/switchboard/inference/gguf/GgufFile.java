package dev.switchboard.inference.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GGUF (v2 or v3) file mapped into memory. Metadata is parsed eagerly; tensor data stays in the mapping, so weights
 * never enter the Java heap. Scalars are exposed as boxed Java values (8/16/32-bit integers as {@link Integer},
 * 64-bit as {@link Long}); arrays as primitive arrays ({@code int[]}, {@code long[]}, {@code float[]},
 * {@code double[]}, {@code boolean[]}), {@code String[]}, or {@code Object[]} for arrays of arrays.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Upper bounds that turn a corrupt count into a clear error instead of an OutOfMemoryError. */
    private static final long MAX_COUNT = 1L << 31;
    private static final int MAX_DIMS = 4;

    private final Path path;
    /** Frees what the tensors' bytes live in: the file's mapping, or an assembled view's memory. */
    private final AutoCloseable resources;
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensor> tensors;
    private final long dataOffset;
    private long pos;

    private GgufFile(Path path) throws IOException {
        this.path = path;
        Arena arena = Arena.ofShared();
        this.resources = arena;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            this.file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        try {
            if (file.byteSize() < 24 || readInt() != MAGIC) {
                throw fail("not a GGUF file (no 'GGUF' magic at the start)");
            }
            version = readInt();
            if (version != 2 && version != 3) {
                throw fail("GGUF version " + version + " is not supported (only 2 and 3)");
            }
            long tensorCount = readCount("tensor count");
            long kvCount = readCount("metadata count");
            Map<String, Object> md = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = readString();
                int type = readInt();
                md.put(key, readValue(type, key));
            }
            metadata = Collections.unmodifiableMap(md);
            long alignment = getLong("general.alignment", 32);
            if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                throw fail("general.alignment " + alignment + " is not a power of two");
            }
            record Info(String name, long[] shape, GgmlType type, long offset) {}
            Info[] infos = new Info[Math.toIntExact(tensorCount)];
            for (int i = 0; i < infos.length; i++) {
                String name = readString();
                int nDims = readInt();
                if (nDims < 1 || nDims > MAX_DIMS) {
                    throw fail("tensor '" + name + "' has " + nDims + " dimensions (1 to " + MAX_DIMS + " allowed)");
                }
                long[] shape = new long[nDims];
                for (int d = 0; d < nDims; d++) {
                    shape[d] = readLong();
                    if (shape[d] <= 0 || shape[d] > MAX_COUNT) {
                        throw fail("tensor '" + name + "' has an invalid dimension " + shape[d]);
                    }
                }
                int typeId = readInt();
                GgmlType type = GgmlType.byId(typeId);
                if (type == null) {
                    throw fail("tensor '" + name + "' has unknown ggml type id " + typeId);
                }
                infos[i] = new Info(name, shape, type, readLong());
            }
            dataOffset = (pos + alignment - 1) / alignment * alignment;
            Map<String, GgufTensor> ts = new LinkedHashMap<>();
            for (Info info : infos) {
                long elements = 1;
                for (long d : info.shape) {
                    elements = Math.multiplyExact(elements, d);
                }
                if (info.shape[0] % info.type.blockSize != 0) {
                    throw fail("tensor '" + info.name + "' of type " + info.type + " has a row of " + info.shape[0]
                            + " values, not a multiple of the block size " + info.type.blockSize);
                }
                long size = info.type.byteSize(elements);
                long start = dataOffset + info.offset;
                if (info.offset < 0 || start + size > file.byteSize()) {
                    throw fail("truncated: tensor '" + info.name + "' needs bytes " + start + ".." + (start + size)
                            + " but the file has " + file.byteSize());
                }
                if (ts.put(info.name, new GgufTensor(info.name, info.shape, info.type, file.asSlice(start, size))) != null) {
                    throw fail("tensor '" + info.name + "' appears twice");
                }
            }
            tensors = Collections.unmodifiableMap(ts);
        } catch (IndexOutOfBoundsException e) {
            arena.close();
            throw new GgufException(path, "truncated: the header ends at byte " + file.byteSize()
                    + " while reading at " + pos, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private GgufFile(Path path, Map<String, Object> metadata, Map<String, GgufTensor> tensors, AutoCloseable resources) {
        this.path = path;
        this.resources = resources;
        this.file = null;
        this.version = 3;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.dataOffset = 0;
    }

    /**
     * A model in GGUF form that was not read from a GGUF file (e.g. a Hugging Face checkpoint, whose tensors stay
     * in their own mappings): every backend and the tokenizer loader read it as they read a file. Errors name
     * {@code source}.
     *
     * @param resources closed with the view (what the tensors' bytes live in)
     */
    public static GgufFile assemble(Path source, Map<String, Object> metadata, Map<String, GgufTensor> tensors,
                                    AutoCloseable resources) {
        return new GgufFile(source, metadata, tensors, resources);
    }

    /** Maps and parses the file; errors name the file and what is wrong. */
    public static GgufFile open(Path path) {
        try {
            return new GgufFile(path);
        } catch (IOException e) {
            throw new GgufException(path, "cannot be read: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    /** Offset of the aligned tensor-data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The tensor, or an error naming the file and the missing tensor. */
    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw fail("tensor '" + name + "' is missing");
        }
        return t;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String getString(String key) {
        return get(key, String.class);
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public long getLong(String key, long fallback) {
        return has(key) ? get(key, Number.class).longValue() : fallback;
    }

    public int getInt(String key) {
        return Math.toIntExact(get(key, Number.class).longValue());
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? get(key, Number.class).floatValue() : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        return has(key) ? get(key, Boolean.class) : fallback;
    }

    public String[] getStringArray(String key) {
        return get(key, String[].class);
    }

    public float[] getFloatArray(String key) {
        return get(key, float[].class);
    }

    public int[] getIntArray(String key) {
        return get(key, int[].class);
    }

    /** The value of {@code key} as {@code type}, or an error naming the file, the key and the type found. */
    public <T> T get(String key, Class<T> type) {
        Object v = metadata.get(key);
        if (v == null) {
            throw fail("metadata key '" + key + "' is missing");
        }
        if (!type.isInstance(v)) {
            throw fail("metadata key '" + key + "' is a " + v.getClass().getSimpleName() + ", expected "
                    + type.getSimpleName());
        }
        return type.cast(v);
    }

    public GgufException fail(String problem) {
        return new GgufException(path, problem);
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GgufException(path, "cannot be closed: " + e.getMessage(), e);
        }
    }

    // ---- parsing ----

    private int readInt() {
        int v = file.get(INT, pos);
        pos += 4;
        return v;
    }

    private long readLong() {
        long v = file.get(LONG, pos);
        pos += 8;
        return v;
    }

    private long readCount(String what) {
        long n = readLong();
        if (n < 0 || n > MAX_COUNT) {
            throw fail("corrupt " + what + " " + Long.toUnsignedString(n) + " at byte " + (pos - 8));
        }
        return n;
    }

    private String readString() {
        long at = pos;
        long len = readCount("string length");
        if (pos + len > file.byteSize()) {
            throw fail("truncated: a string of " + len + " bytes at byte " + at + " runs past the end");
        }
        byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail("the string at byte " + at + " is not valid UTF-8");
        }
    }

    private Object readValue(int type, String key) {
        return switch (type) {
            case 0 -> Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, pos++));
            case 1 -> (int) file.get(ValueLayout.JAVA_BYTE, pos++);
            case 2 -> { int v = Short.toUnsignedInt(file.get(SHORT, pos)); pos += 2; yield v; }
            case 3 -> { int v = file.get(SHORT, pos); pos += 2; yield v; }
            case 4 -> {
                // uint32 stays an Integer when it fits, so callers see one type for ordinary counts
                long v = Integer.toUnsignedLong(readInt());
                yield v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
            }
            case 5 -> readInt();
            case 6 -> { float v = file.get(FLOAT, pos); pos += 4; yield v; }
            case 7 -> {
                byte b = file.get(ValueLayout.JAVA_BYTE, pos++);
                if (b != 0 && b != 1) {
                    throw fail("metadata key '" + key + "' has a bool of value " + b);
                }
                yield b == 1;
            }
            case 8 -> readString();
            case 9 -> readArray(key);
            case 10, 11 -> readLong();
            case 12 -> { double v = file.get(DOUBLE, pos); pos += 8; yield v; }
            default -> throw fail("metadata key '" + key + "' has unknown value type " + type);
        };
    }

    private Object readArray(String key) {
        int type = readInt();
        int n = Math.toIntExact(readCount("array length of '" + key + "'"));
        return switch (type) {
            case 0, 1, 2, 3, 4, 5 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = ((Number) readValue(type, key)).intValue();
                }
                yield a;
            }
            case 6 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = file.get(FLOAT, pos);
                    pos += 4;
                }
                yield a;
            }
            case 7 -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (Boolean) readValue(type, key);
                }
                yield a;
            }
            case 8 -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readString();
                }
                yield a;
            }
            case 10, 11 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readLong();
                }
                yield a;
            }
            case 12 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = file.get(DOUBLE, pos);
                    pos += 8;
                }
                yield a;
            }
            case 9 -> {
                Object[] a = new Object[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readArray(key);
                }
                yield a;
            }
            default -> throw fail("metadata key '" + key + "' is an array of unknown value type " + type);
        };
    }
}
