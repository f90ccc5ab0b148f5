/**
 * Text to tokens and back, exact to the reference implementations.
 * <ul>
 *   <li>{@link dev.switchboard.inference.tokenizer.Tokenizers} loads a {@link dev.switchboard.inference.tokenizer.Tokenizer}
 *       from a GGUF file (Llama 3 byte-level BPE, or SentencePiece-style vocabularies) or from Meta's Llama 3
 *       {@code tokenizer.model}; both Llama 3 forms give identical ids, those of Meta's tiktoken-based reference.</li>
 *   <li>{@link dev.switchboard.inference.tokenizer.Llama3ChatTemplate} renders a dialog of
 *       {@link dev.switchboard.inference.tokenizer.ChatMessage}s as Meta's ChatFormat does; message text can never
 *       produce special tokens.</li>
 *   <li>{@link dev.switchboard.inference.tokenizer.StreamingDecoder} turns generated tokens into text one token at
 *       a time without splitting UTF-8 characters.</li>
 * </ul>
 * Everything here is immutable and thread-safe except the per-generation StreamingDecoder.
 */
package dev.switchboard.inference.tokenizer;
