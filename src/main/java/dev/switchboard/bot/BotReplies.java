package dev.switchboard.bot;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
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

    /**
     * Hands the conversation to a person for this customer message, unless a bot, agent or system message followed
     * it meanwhile (another worker answered it, or a person is on it): checked under the conversation's lock, so two
     * workers with the same message never store two handoffs. A later customer message does not stop it: a customer
     * who asked for a person and then wrote again still wants one. Returns whether the handoff was stored.
     */
    @Transactional
    boolean handoffIfUnanswered(UUID messageId, HandoffReason reason) {
        Message message = Message.findById(messageId);
        Conversation.findById(message.conversationId, LockModeType.PESSIMISTIC_WRITE);
        if (!conversations.awaitsBotAnswer(messageId)) {
            return false;
        }
        conversations.handoff(message.conversationId, reason, Notices.handoff(reason));
        return true;
    }
}
