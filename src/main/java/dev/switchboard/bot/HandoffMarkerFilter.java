package dev.switchboard.bot;

/**
 * Passes streamed text through to the customer while watching for the handoff marker the model writes when the FAQ
 * does not cover the question. Text that could still turn out to be the start of the marker is held back until it
 * cannot, so the customer never sees any part of it. Not thread-safe: one per answer.
 */
final class HandoffMarkerFilter {

    static final String MARKER = "[[HANDOFF]]";

    private final StringBuilder held = new StringBuilder();
    private boolean markerSeen;

    /** Takes one delta; returns the text now safe to show (possibly empty). Nothing once the marker was seen. */
    String accept(String delta) {
        if (markerSeen) {
            return "";
        }
        held.append(delta);
        if (held.indexOf(MARKER) >= 0) {
            markerSeen = true;
            held.setLength(0);
            return "";
        }
        int keep = longestSuffixThatStartsMarker(held);
        String safe = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return safe;
    }

    /** True once the marker appeared anywhere in the stream. */
    boolean markerSeen() {
        return markerSeen;
    }

    /** The held-back tail when the stream ended without completing the marker. */
    String flush() {
        String rest = markerSeen ? "" : held.toString();
        held.setLength(0);
        return rest;
    }

    private static int longestSuffixThatStartsMarker(CharSequence text) {
        for (int n = Math.min(MARKER.length() - 1, text.length()); n > 0; n--) {
            boolean match = true;
            for (int i = 0; i < n && match; i++) {
                match = text.charAt(text.length() - n + i) == MARKER.charAt(i);
            }
            if (match) {
                return n;
            }
        }
        return 0;
    }
}
