package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.ConversationLanes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The per-conversation event streams of this replica. Durable events are written by {@link ConversationService} in
 * its transactions and read back from PostgreSQL here, in id order (writes of one conversation are serialised by a
 * row lock, so id order is commit order), whenever a {@link StreamNotice} says some were committed. Live events
 * (typing, deltas of an answer in progress) exist only in the notices. Every replica gets every notice, whichever
 * replica sent it (the channel is a Kafka topic that each replica reads with its own consumer group, or, on one
 * machine, an in-process topic), so a client may listen on any replica. The deltas of the answer in progress are
 * kept so that a client reconnecting mid-answer receives what it missed as one catch-up delta.
 */
@ApplicationScoped
public class ConversationEvents {

    private static final Logger LOG = Logger.getLogger(ConversationEvents.class);

    /** Receives one subscriber's events; called under the topic's lock, so in stream order. */
    public interface Subscriber {
        /** @return false when the client is gone (the subscriber is then dropped) */
        boolean deliver(StreamEvent event);

        /** Sends an SSE comment (ignored by clients; keeps proxies from closing); false when the client is gone. */
        boolean comment(String text);

        /** Ends the client's stream. */
        void close();
    }

    @Inject
    DurableEventStore store;

    @Inject
    ObjectMapper json;

    @Inject
    StreamNoticePublisher notices;

    @Inject
    Event<ConversationActivity> activity;

    private final ConcurrentHashMap<UUID, Topic> topics = new ConcurrentHashMap<>();
    private final ExecutorService noticeThreads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("stream-notice-", 0).factory());
    private final ConversationLanes lanes = new ConversationLanes(noticeThreads);

    /**
     * Starts the live side of an answer produced by this replica. Its events are numbered here, once, after the
     * conversation's last durable event, so they carry the same SSE ids on every replica.
     */
    public LiveAnswer liveAnswer(UUID conversationId) {
        return new LiveAnswer(conversationId, store.maxId(conversationId));
    }

    /** Typing and text deltas of one answer in progress; closing it turns typing off. */
    public final class LiveAnswer implements AutoCloseable {
        private final UUID conversationId;
        private final UUID answerId = UUID.randomUUID();
        private final long base;
        // From the start time: an answer produced again after the same durable event (a redelivery after its
        // worker died) continues the stream with greater ids than the lost one's.
        private final long firstSeq = System.currentTimeMillis() * 1000;
        private long seq = firstSeq;
        private boolean typing;

        private LiveAnswer(UUID conversationId, long base) {
            this.conversationId = conversationId;
            this.base = base;
        }

        /** The bot started or stopped composing (event typing); repeated calls with the same state send nothing. */
        public synchronized void typing(boolean on) {
            if (typing != on) {
                typing = on;
                send(StreamNotice.Kind.TYPING, null, on);
            }
        }

        /** Streams text the model produced (event bot.delta); empty text sends nothing. */
        public synchronized void delta(String text) {
            if (text != null && !text.isEmpty()) {
                send(StreamNotice.Kind.DELTA, text, false);
            }
        }

        @Override
        public void close() {
            typing(false);
        }

        private void send(StreamNotice.Kind kind, String text, boolean on) {
            boolean first = seq == firstSeq;
            notices.publish(new StreamNotice(kind, conversationId, answerId, base, ++seq, first, text, on));
        }
    }

    /** A transaction that stored durable events of this conversation committed: tell every replica. */
    void committed(UUID conversationId) {
        notices.publish(StreamNotice.committed(conversationId));
    }

    /**
     * Applies a notice from any replica to this replica's streams: in order per conversation, conversations in
     * parallel, so one conversation's database read never delays another's deltas.
     */
    @Incoming(StreamNotice.CHANNEL)
    void onNotice(StreamNotice notice) {
        lanes.submit(notice.conversationId(), () -> apply(notice));
    }

    @PreDestroy
    void stop() {
        noticeThreads.shutdown(); // notices still queued are not worth a slower shutdown: clients catch up on reconnect
    }

    private void apply(StreamNotice notice) {
        try {
            switch (notice.kind()) {
                // Without a topic no one here listens and no answer is in progress: a later topic starts from
                // the database.
                case COMMITTED -> {
                    notifyActivity(new ConversationActivity(notice.conversationId(),
                            ConversationActivity.Kind.COMMITTED));
                    withExistingTopic(notice.conversationId(), Topic::refresh);
                }
                case TYPING -> {
                    notifyActivity(new ConversationActivity(notice.conversationId(), notice.on()
                            ? ConversationActivity.Kind.TYPING_ON : ConversationActivity.Kind.TYPING_OFF));
                    withTopic(notice.conversationId(), topic -> topic.live(notice));
                }
                case DELTA -> withTopic(notice.conversationId(), topic -> topic.live(notice));
            }
        } catch (RuntimeException e) {
            // Never fail the channel: one lost notice costs a client a reconnect, a failed channel all streams.
            LOG.warnf(e, "Could not deliver a %s notice of conversation %s; clients catch up on reconnect",
                    notice.kind(), notice.conversationId());
        }
    }

    /**
     * Replays the durable events after {@code after} (none when null: the stream starts now), then the part of the
     * answer in progress the client has not seen, then keeps the subscriber until the
     * subscriber reports its client gone.
     */
    void subscribe(UUID conversationId, StreamPosition after, Subscriber subscriber) {
        withTopic(conversationId, topic -> topic.subscribe(after, subscriber));
    }

    /**
     * {@link #subscribe(UUID, StreamPosition, Subscriber)} for callers outside this package (the dashboard):
     * {@code lastEventId} is the client's Last-Event-ID, null or blank to start now; a malformed one is a 400.
     */
    public void subscribe(UUID conversationId, String lastEventId, Subscriber subscriber) {
        subscribe(conversationId, lastEventId == null || lastEventId.isBlank() ? null
                : StreamPosition.parse(lastEventId.strip()), subscriber);
    }

    /**
     * Tells in-process observers (the workspace feed, the bot's takeover watch) that a conversation changed. Called
     * for every notice, whichever replica sent it, so observers on every replica see every change.
     */
    private void notifyActivity(ConversationActivity a) {
        try {
            activity.fire(a);
        } catch (RuntimeException e) {
            LOG.warnf(e, "An observer of conversation %s failed", a.conversationId());
        }
    }

    /** Sends a keep-alive comment to every subscriber, dropping those whose client went away. */
    void keepAlive() {
        for (UUID id : List.copyOf(topics.keySet())) {
            withExistingTopic(id, topic -> topic.subscriptions.removeIf(s -> !s.subscriber.comment("keep-alive")));
        }
    }

    /**
     * Ends every stream with a final stream.end event (no id: it is not part of the replayable stream), so clients
     * know the end is deliberate and reconnect with their Last-Event-ID, to another replica or after the restart.
     */
    void endAll(String reason) {
        StreamEvent end = new StreamEvent(null, EventTypes.STREAM_END, toJson(Map.of("reason", reason)));
        for (UUID id : List.copyOf(topics.keySet())) {
            withExistingTopic(id, topic -> {
                topic.subscriptions.forEach(s -> {
                    s.subscriber.deliver(end);
                    s.subscriber.close();
                });
                topic.subscriptions.clear();
                return null;
            });
        }
    }

    int subscriberCount() {
        return topics.values().stream().mapToInt(t -> {
            synchronized (t) {
                return t.subscriptions.size();
            }
        }).sum();
    }

    private <T> T withTopic(UUID conversationId, Function<Topic, T> action) {
        while (true) {
            Topic topic = topics.computeIfAbsent(conversationId, Topic::new);
            synchronized (topic) {
                if (!topic.retired) {
                    return runLocked(topic, action);
                }
            }
        }
    }

    private void withExistingTopic(UUID conversationId, Function<Topic, ?> action) {
        Topic topic = topics.get(conversationId);
        if (topic != null) {
            synchronized (topic) {
                if (!topic.retired) {
                    runLocked(topic, action);
                }
            }
        }
    }

    private <T> T runLocked(Topic topic, Function<Topic, T> action) {
        try {
            topic.initialize();
            return action.apply(topic);
        } finally {
            // A topic nobody listens to and with no answer in progress holds nothing worth keeping.
            if (topic.idle()) {
                topic.retired = true;
                topics.remove(topic.conversationId, topic);
            }
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data not serialisable: " + value, e);
        }
    }

    /** One conversation's live state. Every method runs under the topic's monitor. */
    private final class Topic {

        private record Delta(StreamPosition position, String text) {}

        private static final class Subscription {
            final Subscriber subscriber;
            long durableCursor;
            /** Where the client resumed (null: from now); it may be ahead of this replica's live events. */
            final StreamPosition resumedAfter;

            Subscription(Subscriber subscriber, long durableCursor, StreamPosition resumedAfter) {
                this.subscriber = subscriber;
                this.durableCursor = durableCursor;
                this.resumedAfter = resumedAfter;
            }

            /** False for a live event the client saw on another replica before it resumed here. */
            boolean wants(StreamPosition live) {
                return resumedAfter == null || live.compareTo(resumedAfter) > 0;
            }
        }

        final UUID conversationId;
        final List<Subscription> subscriptions = new ArrayList<>();
        /** The deltas of answer {@link #answerId} seen here, which continues durable event {@link #lastDurableId}. */
        final List<Delta> answerInProgress = new ArrayList<>();
        UUID answerId;
        /** Whether this replica saw that answer's first event, so holds all its deltas. */
        boolean answerSeenFromStart;
        /** The seq of the first event of that answer seen here. */
        long answerFirstSeq;
        boolean retired;
        boolean initialized;
        long lastDurableId;
        boolean typing;

        Topic(UUID conversationId) {
            this.conversationId = conversationId;
        }

        void initialize() {
            if (!initialized) {
                lastDurableId = store.maxId(conversationId);
                initialized = true;
            }
        }

        boolean idle() {
            return subscriptions.isEmpty() && answerInProgress.isEmpty() && !typing;
        }

        /** Delivers durable events committed since the last refresh. */
        Void refresh() {
            for (StreamEvent event : store.between(conversationId, lastDurableId, Long.MAX_VALUE)) {
                long id = Long.parseLong(event.id());
                subscriptions.removeIf(s -> {
                    if (s.durableCursor >= id) {
                        return false;
                    }
                    s.durableCursor = id;
                    return !s.subscriber.deliver(event);
                });
                lastDurableId = id;
                // Live ids continue the durable event an answer started after: later ones supersede its stream
                // (its text arrives as a message, or it is dropped because the customer wrote again).
                answerInProgress.clear();
                answerId = null;
                if (endsAnswer(event)) {
                    typing = false;
                }
            }
            return null;
        }

        /** A typing or delta notice, numbered by the replica producing the answer. */
        Void live(StreamNotice notice) {
            if (notice.base() > lastDurableId) {
                refresh(); // the producer saw durable events committed that this replica has not read yet
            }
            if (notice.base() != lastDurableId) {
                // Superseded (see refresh): its deltas are not shown; its typing state still is, without an id,
                // since its place in the stream is gone.
                if (notice.kind() == StreamNotice.Kind.TYPING && typing != notice.on()) {
                    typing = notice.on();
                    broadcast(new StreamEvent(null, EventTypes.TYPING, toJson(Map.of("on", typing))));
                }
                return null;
            }
            if (!notice.answerId().equals(answerId)) {
                answerId = notice.answerId();
                answerFirstSeq = notice.seq();
                answerSeenFromStart = notice.first();
                answerInProgress.clear();
            }
            StreamPosition position = notice.position();
            StreamEvent event;
            if (notice.kind() == StreamNotice.Kind.DELTA) {
                answerInProgress.add(new Delta(position, notice.text()));
                event = new StreamEvent(position.eventId(), EventTypes.BOT_DELTA, toJson(Map.of("text", notice.text())));
            } else {
                typing = notice.on();
                event = new StreamEvent(position.eventId(), EventTypes.TYPING, toJson(Map.of("on", typing)));
            }
            subscriptions.removeIf(s -> s.wants(position) && !s.subscriber.deliver(event));
            return null;
        }

        Subscription subscribe(StreamPosition after, Subscriber subscriber) {
            refresh();
            Subscription subscription = new Subscription(subscriber, lastDurableId, after);
            if (after != null) {
                for (StreamEvent event : store.between(conversationId, after.durableId(), lastDurableId)) {
                    if (!subscriber.deliver(event)) {
                        return subscription;
                    }
                }
            }
            List<Delta> missed = answerInProgress.stream()
                    .filter(d -> after == null || d.position.compareTo(after) > 0).toList();
            boolean open;
            if (!missed.isEmpty() && seenEverythingAfter(after)) {
                String text = missed.stream().map(Delta::text).collect(Collectors.joining());
                open = subscriber.deliver(new StreamEvent(missed.getLast().position.eventId(), EventTypes.BOT_DELTA,
                        toJson(Map.of("text", text))));
            } else {
                // No id: the typing state is not part of the replayable stream, and must not move the client's cursor.
                open = !typing || subscriber.deliver(new StreamEvent(null, EventTypes.TYPING, toJson(Map.of("on", true))));
            }
            // Last, still under the lock: once the client sees this (and so the response headers), whatever is
            // committed next is newer than the subscription's cursor and will be delivered.
            if (open && subscriber.comment("connected")) {
                subscriptions.add(subscription);
            }
            return subscription;
        }

        /**
         * Whether this replica holds every delta of the answer in progress after {@code after}: not so when it
         * started (or its consumer joined) mid-answer and the client has not seen up to its first one. A catch-up
         * with a hole would show garbled text; without it the client still gets the complete answer as a message.
         */
        private boolean seenEverythingAfter(StreamPosition after) {
            return answerSeenFromStart || (after != null && after.durableId() == lastDurableId
                    && after.transientSeq() >= answerFirstSeq - 1);
        }

        private void broadcast(StreamEvent event) {
            subscriptions.removeIf(s -> !s.subscriber.deliver(event));
        }

        /** A bot, agent or system message, or a status change, completes (or abandons) the streamed answer. */
        private boolean endsAnswer(StreamEvent event) {
            if (EventTypes.STATUS_CHANGED.equals(event.name())) {
                return true;
            }
            try {
                return EventTypes.MESSAGE_CREATED.equals(event.name())
                        && !MessageRole.CUSTOMER.code().equals(json.readTree(event.data()).path("role").asText());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored event " + event.id() + " is not JSON", e);
            }
        }
    }
}
