package dev.switchboard.bot;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.conversation.MessageSource;
import dev.switchboard.conversation.OfferedEntry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;

/**
 * Stores the bot's answers and handoffs only while they still answer the customer's message; the checks run in the
 * conversation room, under the conversation's row lock (see {@link ConversationService#botReplyIfLatest} and
 * {@link ConversationService#handoffIfUnanswered}).
 */
@ApplicationScoped
class BotReplies {

    @Inject
    ConversationService conversations;

    /** Whether the answer to the customer message at {@code answeredSeq} was stored. */
    boolean replyIfLatest(UUID conversationId, long answeredSeq, String content, MessageSource source) {
        return conversations.botReplyIfLatest(conversationId, answeredSeq, content, source);
    }

    /** {@link #replyIfLatest(UUID, long, String, MessageSource)} offering FAQ entries to pick from. */
    boolean replyIfLatest(UUID conversationId, long answeredSeq, String content, MessageSource source,
                          List<OfferedEntry> offers) {
        return conversations.botReplyIfLatest(conversationId, answeredSeq, content, source, offers);
    }

    /** Whether the handoff for this customer message was stored, with the notice the customer sees. */
    boolean handoffIfUnanswered(UUID messageId, HandoffReason reason) {
        return conversations.handoffIfUnanswered(messageId, reason, Notices.handoff(reason));
    }
}
