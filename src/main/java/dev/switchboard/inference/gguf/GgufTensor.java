package dev.switchboard.inference.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file: its shape in ggml order ({@code shape[0]} is the contiguous dimension, i.e. the
 * number of columns of a weight matrix) and a view of its bytes inside the memory-mapped file.
 */
public record GgufTensor(String name, long[] shape, GgmlType type, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Columns of a 2-D weight (the length of each row, contiguous in memory). */
    public int cols() {
        return Math.toIntExact(shape[0]);
    }

    /** Rows of a 2-D weight (1 for a vector). */
    public int rows() {
        return shape.length < 2 ? 1 : Math.toIntExact(elementCount() / shape[0]);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
