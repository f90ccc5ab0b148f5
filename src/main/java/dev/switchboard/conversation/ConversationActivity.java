package dev.switchboard.conversation;

import java.util.UUID;

/**
 * A CDI event (synchronous; observers must return quickly): something happened in a conversation. Fired by
 * {@link ConversationEvents} from the same notifications that feed the per-conversation streams, so it covers every
 * replica those reach.
 *
 * @param kind COMMITTED: durable events (messages, status changes) were committed; TYPING_ON / TYPING_OFF: the bot
 *             started or stopped composing an answer
 */
public record ConversationActivity(UUID conversationId, Kind kind) {

    public enum Kind {
        COMMITTED,
        TYPING_ON,
        TYPING_OFF
    }
}
