package dev.switchboard.webhook;

import java.util.List;

/** The events a webhook may subscribe to. */
public final class WebhookEvents {

    /** Data: the conversation as GET /api/v1/conversations/{id} shows it. */
    public static final String CONVERSATION_CREATED = "conversation.created";
    /** Data: the message as GET .../messages shows it (any role: customer, bot, agent, system). */
    public static final String MESSAGE_CREATED = "message.created";
    /** Data: {"conversationId","status":"pending","previousStatus","handoffReason","agentName","labels"}. */
    public static final String CONVERSATION_HANDOFF = "conversation.handoff";
    /** Data: {"conversationId","status":"resolved","previousStatus","handoffReason","agentName","labels"}. */
    public static final String CONVERSATION_RESOLVED = "conversation.resolved";
    /** Data: {"conversationId","labels","added","removed"}: labels now on it by name, the one put on or taken off. */
    public static final String CONVERSATION_LABELS_CHANGED = "conversation.labels_changed";

    /** Data: as the stream's conversation.assigned (the new assignee agent and/or team, automatic or not). */
    public static final String CONVERSATION_ASSIGNED = "conversation.assigned";

    public static final List<String> ALL = List.of(CONVERSATION_CREATED, MESSAGE_CREATED, CONVERSATION_HANDOFF,
            CONVERSATION_RESOLVED, CONVERSATION_ASSIGNED, CONVERSATION_LABELS_CHANGED);

    private WebhookEvents() {}
}
