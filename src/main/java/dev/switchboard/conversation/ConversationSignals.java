package dev.switchboard.conversation;

import java.util.UUID;

/**
 * CDI events for the rooms above that act on a person being needed (auto-assignment, notifications). Fired inside the
 * conversation's transaction: observe them with {@code during = TransactionPhase.AFTER_SUCCESS}, so nothing acts on a
 * change that rolled back.
 */
public final class ConversationSignals {

    /** The bot handed the conversation off: it waits for a person (status pending). */
    public record HumanNeeded(UUID conversationId, UUID workspaceId, HandoffReason reason) {}

    /** The customer wrote again in a conversation assigned to an agent or team that waits for a person. */
    public record CustomerReplied(UUID conversationId, UUID workspaceId, UUID assigneeAgentId, UUID assigneeTeamId) {}

    private ConversationSignals() {}
}
