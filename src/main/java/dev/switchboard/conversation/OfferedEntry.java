package dev.switchboard.conversation;

import java.util.Locale;
import java.util.UUID;

/** An FAQ entry a bot message offers the customer to pick: its id and its question as shown. */
public record OfferedEntry(UUID faqId, String question) {

    /**
     * A text as it is compared with an offered question: the widget's button sends the question as the customer's
     * message, and a customer who types it may differ in case and spacing only.
     */
    public static String comparable(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
