package dev.switchboard.conversation;

import dev.switchboard.common.ApiException;

/**
 * A place in a conversation's stream: after durable event {@code durableId} and, when {@code transientSeq > 0}, after
 * that many live events of the answer that followed it (numbered by the replica producing the answer, see
 * {@link StreamNotice}). SSE ids are "durableId" or "durableId.transientSeq", so they sort in stream order.
 */
record StreamPosition(long durableId, long transientSeq) implements Comparable<StreamPosition> {

    static StreamPosition parse(String lastEventId) {
        try {
            int dot = lastEventId.indexOf('.');
            StreamPosition p = dot < 0 ? new StreamPosition(Long.parseLong(lastEventId), 0)
                    : new StreamPosition(Long.parseLong(lastEventId.substring(0, dot)),
                            Long.parseLong(lastEventId.substring(dot + 1)));
            if (p.durableId >= 0 && p.transientSeq >= 0) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("Last-Event-ID '" + lastEventId
                + "' is not an event id of this stream (expected '<n>' or '<n>.<m>')");
    }

    String eventId() {
        return transientSeq == 0 ? Long.toString(durableId) : durableId + "." + transientSeq;
    }

    @Override
    public int compareTo(StreamPosition o) {
        int c = Long.compare(durableId, o.durableId);
        return c != 0 ? c : Long.compare(transientSeq, o.transientSeq);
    }
}
