package dev.switchboard.conversation;

import java.util.UUID;

/** An FAQ entry a bot message offers the customer to pick: its id and its question as shown. */
public record OfferedEntry(UUID faqId, String question) {}
