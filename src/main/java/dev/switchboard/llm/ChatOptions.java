package dev.switchboard.llm;

/**
 * How to sample one answer.
 *
 * @param maxTokens the most tokens to generate
 * @param temperature 0 for greedy decoding
 */
public record ChatOptions(int maxTokens, double temperature) {

    public ChatOptions {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must not be negative, was " + temperature);
        }
    }
}
