package dev.switchboard.conversation;

/**
 * One event of a conversation's SSE stream.
 *
 * @param id the SSE id: a durable event's database id, "durableId.n" for transient events, or null for state that a
 *           resuming client must not skip (the current typing state)
 * @param name one of {@link EventTypes}
 * @param data JSON text
 */
public record StreamEvent(String id, String name, String data) {}
