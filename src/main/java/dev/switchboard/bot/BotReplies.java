package dev.switchboard.bot;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.Message;
import dev.switchboard.conversation.MessageSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.util.UUID;

/** Stores the bot's answers, only while they still answer the customer's latest message. */
@ApplicationScoped
class BotReplies {

    @Inject
    ConversationService conversations;

    /**
     * Stores the answer to the customer message at {@code answeredSeq}, unless the customer wrote again meanwhile:
     * an answer stored after that newer message would mark it answered, so it is dropped and the newer message,
     * queued behind, is answered with both in context. The check holds the conversation's lock, which posting a
     * message takes too. Returns whether the answer was stored (false also when the bot is no longer in charge).
     */
    @Transactional
    boolean replyIfLatest(UUID conversationId, long answeredSeq, String content, MessageSource source) {
        Conversation.findById(conversationId, LockModeType.PESSIMISTIC_WRITE);
        if (Message.count("conversationId = ?1 and seq > ?2", conversationId, answeredSeq) > 0) {
            return false;
        }
        return conversations.botReply(conversationId, content, source) != null;
    }
}
