package dev.switchboard.inference.hf;

import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.json.JsonException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file mapped into memory: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape (outermost dimension first) and byte range, then the data. Tensor bytes stay in the
 * mapping, which lives as long as {@code arena}.
 */
final class Safetensors {
    /** Bounds a corrupt header length before it turns into a huge allocation. */
    private static final long MAX_HEADER = 100L << 20;

    /** A tensor as stored: {@code shape} outermost first (PyTorch order), bytes in the file's mapping. */
    record Tensor(String name, String dtype, long[] shape, MemorySegment data) {}

    private Safetensors() {
    }

    /** Maps {@code file} into {@code arena} and reads its header; errors name the file and the tensor. */
    static Map<String, Tensor> open(Path file, Arena arena) {
        MemorySegment map;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (IOException e) {
            throw new HfException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (map.byteSize() < 8) {
            throw new HfException(file, "is not a safetensors file (shorter than its 8-byte header length)");
        }
        long headerLength = map.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > MAX_HEADER || 8 + headerLength > map.byteSize()) {
            throw new HfException(file, "is not a safetensors file (header length " + headerLength + " for a file of "
                    + map.byteSize() + " bytes)");
        }
        String text = new String(map.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        Object header;
        try {
            header = Json.parse(text);
        } catch (JsonException e) {
            throw new HfException(file, "has an unreadable JSON header: " + e.getMessage(), e);
        }
        if (!(header instanceof Map<?, ?> entries)) {
            throw new HfException(file, "has a JSON header that is not an object");
        }
        long dataStart = 8 + headerLength;
        long dataSize = map.byteSize() - dataStart;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info) || !(info.get("dtype") instanceof String dtype)
                    || !(info.get("shape") instanceof List<?> shapeList)
                    || !(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2) {
                throw new HfException(file, "tensor '" + name + "' has no dtype, shape and data_offsets [begin, end]");
            }
            long[] shape = new long[shapeList.size()];
            long elements = 1;
            for (int d = 0; d < shape.length; d++) {
                if (!(shapeList.get(d) instanceof Long n) || n < 0) {
                    throw new HfException(file, "tensor '" + name + "' has an invalid shape " + shapeList);
                }
                shape[d] = n;
                elements = Math.multiplyExact(elements, n);
            }
            if (!(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end) || begin < 0
                    || end < begin || end > dataSize) {
                throw new HfException(file, "tensor '" + name + "' has data_offsets " + offsets + " outside the "
                        + dataSize + " bytes of data (truncated file?)");
            }
            int width = elementBytes(dtype);
            if (width > 0 && end - begin != elements * width) {
                throw new HfException(file, "tensor '" + name + "' of dtype " + dtype + " and shape " + shapeList
                        + " needs " + elements * width + " bytes but data_offsets span " + (end - begin));
            }
            tensors.put(name, new Tensor(name, dtype, shape, map.asSlice(dataStart + begin, end - begin)));
        }
        return Collections.unmodifiableMap(tensors);
    }

    /** Bytes per element of a safetensors dtype, or 0 when unknown (such a tensor fails only if it is used). */
    static int elementBytes(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }
}
