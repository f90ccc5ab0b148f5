package dev.switchboard.dashboard;

import dev.switchboard.conversation.Conversation;
import io.quarkus.qute.TemplateExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/** Formatting for the dashboard's templates ({@code {instant.time}}). Times are UTC, as stored. */
@TemplateExtension
public class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant) + " UTC";
    }

    /** The widget's generated visitor ids: {@code v_} and a random UUID. */
    private static final Pattern GENERATED_VISITOR = Pattern.compile("v_([0-9a-f]{8})-[0-9a-f-]{27}");

    /**
     * Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): one U+202E in a message would otherwise show
     * the rest of a one-line preview reversed. Marks (U+200E/U+200F) only affect neutral characters and stay.
     */
    private static final Pattern BIDI_CONTROLS = Pattern.compile("[\\u202A-\\u202E\\u2066-\\u2069]");

    /**
     * How the dashboard names a visitor: the name a verified widget gave, else the visitor id; a generated
     * {@code v_<uuid>} becomes "Visitor" and its first 8 hex digits, still telling visitors apart.
     */
    public static String visitor(String visitorId, String visitorName) {
        if (visitorName != null && !visitorName.isBlank()) {
            return withoutBidiControls(visitorName);
        }
        if (visitorId == null) {
            return "";
        }
        var generated = GENERATED_VISITOR.matcher(visitorId);
        return generated.matches() ? "Visitor " + generated.group(1) : withoutBidiControls(visitorId);
    }

    /** {@code {conversation.visitorLabel}}. */
    static String visitorLabel(Conversation c) {
        return visitor(c.visitorId, c.visitorName);
    }

    static String withoutBidiControls(String text) {
        return BIDI_CONTROLS.matcher(text).replaceAll("");
    }

    /** An ISO timestamp for {@code <time datetime>}. */
    static String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }
}
