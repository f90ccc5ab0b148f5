package dev.switchboard.conversation;

import java.util.UUID;

/**
 * Emitted on {@link #CHANNEL} after a customer message is committed. Deliberately only ids: consumers load the current
 * state, so a redelivered or re-emitted notice (see {@link UnansweredMessageRecovery}) is harmless when the consumer
 * checks {@link ConversationService#awaitsBotAnswer(UUID)} first. Serialised as JSON when a broker carries it.
 */
public record CustomerMessagePosted(UUID workspaceId, UUID conversationId, UUID messageId) {

    /**
     * The incoming Reactive Messaging channel the bot consumes; {@link #OUTGOING_CHANNEL} feeds it through the topic
     * {@code customer-messages} (in this process, or a Kafka topic with profile {@code kafka}).
     */
    public static final String CHANNEL = "customer-messages";
    public static final String OUTGOING_CHANNEL = "customer-messages-out";
}
