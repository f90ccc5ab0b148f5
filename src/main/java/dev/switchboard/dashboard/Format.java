package dev.switchboard.dashboard;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.VisitorNames;
import io.quarkus.qute.TemplateExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formatting for the dashboard's templates ({@code {instant.time}}). Times are UTC, as stored. */
@TemplateExtension
public class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant) + " UTC";
    }

    /** The UTC day, {@code {instant.date}}. */
    static String date(Instant instant) {
        return instant == null ? "" : TIME.format(instant).substring(0, 10);
    }

    /** {@code {conversation.visitorLabel}}. */
    static String visitorLabel(Conversation c) {
        return VisitorNames.of(c.visitorId, c.visitorName);
    }

    /** An ISO timestamp for {@code <time datetime>}. */
    static String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }
}
