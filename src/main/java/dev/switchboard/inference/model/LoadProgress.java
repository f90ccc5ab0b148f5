package dev.switchboard.inference.model;

/** Receives progress while a backend loads a model, e.g. to draw a progress bar or log per layer. */
@FunctionalInterface
public interface LoadProgress {

    /** Reports that {@code done} of {@code total} units of {@code stage} are finished. */
    void update(String stage, long done, long total);

    LoadProgress NONE = (stage, done, total) -> { };
}
