package dev.switchboard.conversation;

import java.util.regex.Pattern;

/** How a person reads a visitor's name or a message in one line: shared by the inbox query and the dashboard. */
public final class VisitorNames {

    /** The widget's generated visitor ids: {@code v_} and a random UUID, namespaced as anonymous by the service. */
    private static final Pattern GENERATED_VISITOR = Pattern.compile(
            "(?:" + Pattern.quote(ConversationService.ANONYMOUS_PREFIX) + ")?v_([0-9a-f]{8})-[0-9a-f-]{27}");

    /**
     * Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): one U+202E in a message would otherwise show
     * the rest of a one-line preview reversed. Marks (U+200E/U+200F) only affect neutral characters and stay.
     */
    private static final Pattern BIDI_CONTROLS = Pattern.compile("[\\u202A-\\u202E\\u2066-\\u2069]");

    private VisitorNames() {}

    /**
     * The name a verified widget gave, else the visitor id; a generated {@code v_<uuid>} becomes "Visitor" and its
     * first 8 hex digits, still telling visitors apart.
     */
    public static String of(String visitorId, String visitorName) {
        if (visitorName != null && !visitorName.isBlank()) {
            return withoutBidiControls(visitorName);
        }
        if (visitorId == null) {
            return "";
        }
        var generated = GENERATED_VISITOR.matcher(visitorId);
        return generated.matches() ? "Visitor " + generated.group(1) : withoutBidiControls(visitorId);
    }

    public static String withoutBidiControls(String text) {
        return BIDI_CONTROLS.matcher(text).replaceAll("");
    }
}
