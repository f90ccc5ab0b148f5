/**
 * Structured output by constrained decoding: a byte-level pushdown automaton for JSON values of a JSON schema
 * ({@link dev.switchboard.inference.structured.JsonSchema}), a trie of a vocabulary's token bytes built once per
 * vocabulary, and the logits processor that masks every token the automaton would reject.
 */
package dev.switchboard.inference.structured;
