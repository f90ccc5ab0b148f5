package dev.switchboard.inference.backend;

import java.util.Locale;

/** Which backend computes forward passes: the CPU, CUDA, or CUDA when a GPU is usable and the CPU otherwise. */
public enum BackendKind {
    CPU, CUDA, AUTO;

    /** Parses "cpu", "cuda" or "auto"; an error lists the choices. */
    public static BackendKind parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backend '" + s + "' is not one of cpu, cuda, auto");
        }
    }
}
