package dev.switchboard.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text as they arrive. A token may end inside a UTF-8 character (byte-level BPE splits
 * emoji and CJK across tokens), so the bytes of an unfinished character are held back until a later token completes
 * them; invalid bytes come out as U+FFFD at once. The texts returned by {@link #accept} and {@link #flush} add up to
 * the UTF-8 decoding of all the tokens' bytes. Pieces are taken as they are: a SentencePiece vocabulary's leading
 * space stays (it separates the continuation from the prompt), and special tokens give their text, so callers stop
 * on stop tokens before passing them here. Not thread-safe: one per generation.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int pendingLength;

    public StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text it completes (possibly empty). */
    public String accept(int token) {
        byte[] bytes = tokenizer.tokenBytes(token);
        if (pendingLength + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        int complete = completePrefix(pending, pendingLength);
        return take(complete);
    }

    /** Returns what is held back, an unfinished character becoming U+FFFD; the decoder is then empty. */
    public String flush() {
        return take(pendingLength);
    }

    private String take(int n) {
        if (n == 0) {
            return "";
        }
        String text = new String(pending, 0, n, StandardCharsets.UTF_8);
        System.arraycopy(pending, n, pending, 0, pendingLength - n);
        pendingLength -= n;
        return text;
    }

    /**
     * The length of the prefix that can be decoded now: all of it, unless it ends in a character that has begun
     * validly but misses continuation bytes (then up to that character's lead byte).
     */
    static int completePrefix(byte[] b, int length) {
        for (int k = 1; k <= 3 && k <= length; k++) {
            int lead = b[length - k] & 0xFF;
            if (lead < 0x80) {
                return length; // ASCII: nothing after it can be unfinished
            }
            if (lead < 0xC0) {
                continue; // a continuation byte: look further back for the lead
            }
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (need <= k || !validStart(b, length - k, length)) {
                return length; // complete, or already invalid: decode it now
            }
            return length - k;
        }
        return length;
    }

    /** Whether the bytes from {@code start} are a valid beginning of one UTF-8 character (RFC 3629 ranges). */
    private static boolean validStart(byte[] b, int start, int end) {
        int lead = b[start] & 0xFF;
        if (lead < 0xC2 || lead > 0xF4) {
            return false;
        }
        for (int i = start + 1; i < end; i++) {
            int c = b[i] & 0xFF;
            int lo = 0x80;
            int hi = 0xBF;
            if (i == start + 1) {
                if (lead == 0xE0) lo = 0xA0;
                else if (lead == 0xED) hi = 0x9F;
                else if (lead == 0xF0) lo = 0x90;
                else if (lead == 0xF4) hi = 0x8F;
            }
            if (c < lo || c > hi) {
                return false;
            }
        }
        return true;
    }
}
