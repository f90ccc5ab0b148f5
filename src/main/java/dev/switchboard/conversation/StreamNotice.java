package dev.switchboard.conversation;

import java.util.UUID;

/**
 * What one replica tells every replica (itself included) about a conversation's stream, on the channel
 * {@link #CHANNEL}: durable events were committed (read them from PostgreSQL), or a live event of an answer in
 * progress. A live event carries its place in the stream, assigned once by the replica producing the answer: after
 * durable event {@code base}, number {@code seq} of answer {@code answerId}. So its SSE id ("base.seq") is the same on
 * every replica, and a client can resume on any of them. An answer numbers its events from its start time in
 * milliseconds times 1000, so a second answer after the same durable event (the same message answered again after
 * its worker died) continues the stream with greater ids, unless the replicas' clocks differ by more than the
 * failover took.
 *
 * @param first whether this is the answer's first live event
 * @param text the text of a {@link Kind#DELTA}
 * @param on the state of a {@link Kind#TYPING}
 */
public record StreamNotice(Kind kind, UUID conversationId, UUID answerId, long base, long seq,
        boolean first, String text, boolean on) {

    public static final String CHANNEL = "conversation-events";
    public static final String OUTGOING_CHANNEL = "conversation-events-out";

    public enum Kind { COMMITTED, DELTA, TYPING }

    static StreamNotice committed(UUID conversationId) {
        return new StreamNotice(Kind.COMMITTED, conversationId, null, 0, 0, false, null, false);
    }

    StreamPosition position() {
        return new StreamPosition(base, seq);
    }
}
