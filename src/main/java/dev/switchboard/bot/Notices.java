package dev.switchboard.bot;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;

/** What the customer reads when the bot hands the conversation to a person. */
final class Notices {

    private Notices() {}

    static String handoff(HandoffReason reason) {
        return switch (reason) {
            case CUSTOMER_REQUEST -> "A human agent will take over this conversation and reply here shortly.";
            case MISSING_KNOWLEDGE -> "I don't have the answer to that. A human agent will reply here shortly.";
            case LOW_CONFIDENCE -> "I'm not sure about that one. A human agent will reply here shortly.";
            case INFERENCE_UNAVAILABLE ->
                    "Our assistant can't answer right now. A human agent will reply here shortly.";
            case POLICY -> "A human agent will reply to this here shortly.";
            case OUTSIDE_BUSINESS_HOURS -> ConversationService.OUTSIDE_HOURS_NOTICE;
        };
    }
}
