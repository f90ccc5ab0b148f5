package dev.switchboard.conversation;

/** The event names of a conversation's stream, shared by the widget and the dashboard. */
public final class EventTypes {

    /** Durable: a message was stored. Data: the message as in GET .../messages. */
    public static final String MESSAGE_CREATED = "message.created";
    /** Durable: the status changed. Data: {"conversationId","status","previousStatus","handoffReason"}. */
    public static final String STATUS_CHANGED = "conversation.status_changed";
    /**
     * Durable: the assignee changed. Data: {"conversationId","agentId","agentName","teamId","teamName","automatic",
     * "previousAgentId","previousTeamId"} (all ids null: unassigned).
     */
    public static final String ASSIGNED = "conversation.assigned";
    /** Transient: text the model streamed. Data: {"text"}; a reconnect mid-answer gets what it missed as one. */
    public static final String BOT_DELTA = "bot.delta";
    /** Transient: the bot started or stopped composing. Data: {"on"}. */
    public static final String TYPING = "typing";

    /** Transient, last: the server ends the stream (it is shutting down). Data: {"reason"}; reconnect to resume. */
    public static final String STREAM_END = "stream.end";

    private EventTypes() {}
}
