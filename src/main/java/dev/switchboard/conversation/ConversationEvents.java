package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
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
import org.jboss.logging.Logger;

/**
 * The per-conversation event streams. Durable events are written by {@link ConversationService} in its transactions
 * and read back from PostgreSQL here after each commit, in id order (writes of one conversation are serialised by a
 * row lock, so id order is commit order). Transient events ({@link #delta}, {@link #typing}) live only in this
 * process: each gets the id "lastDurableId.n", and the deltas of the answer in progress are kept so that a client
 * reconnecting mid-answer receives what it missed as one catch-up delta.
 */
@ApplicationScoped
public class ConversationEvents {

    private static final Logger LOG = Logger.getLogger(ConversationEvents.class);

    /** Receives one subscriber's events; called under the topic's lock, so in stream order. */
    interface Subscriber {
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

    private final ConcurrentHashMap<UUID, Topic> topics = new ConcurrentHashMap<>();
    private final ExecutorService refresher = Executors.newVirtualThreadPerTaskExecutor();

    /** Streams text the model produced for the conversation's answer in progress (event bot.delta). */
    public void delta(UUID conversationId, String textDelta) {
        if (textDelta != null && !textDelta.isEmpty()) {
            withTopic(conversationId, topic -> topic.delta(textDelta));
        }
    }

    /** The bot started or stopped composing (event typing); repeated calls with the same state send nothing. */
    public void typing(UUID conversationId, boolean on) {
        withTopic(conversationId, topic -> topic.typing(on));
    }

    /** A transaction that stored durable events of this conversation committed: deliver them to live streams. */
    void committed(UUID conversationId) {
        // Without a topic no one listens and no answer is in progress: a later topic starts from the database.
        if (topics.containsKey(conversationId)) {
            refresher.execute(() -> {
                try {
                    withTopic(conversationId, Topic::refresh);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Could not deliver the events of conversation %s; clients catch up on reconnect",
                            conversationId);
                }
            });
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

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
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

            Subscription(Subscriber subscriber, long durableCursor) {
                this.subscriber = subscriber;
                this.durableCursor = durableCursor;
            }
        }

        final UUID conversationId;
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<Delta> answerInProgress = new ArrayList<>();
        boolean retired;
        boolean initialized;
        long lastDurableId;
        int transientSeq;
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
                transientSeq = 0;
                if (endsAnswer(event)) {
                    answerInProgress.clear();
                    typing = false;
                }
            }
            return null;
        }

        Subscription subscribe(StreamPosition after, Subscriber subscriber) {
            refresh();
            Subscription subscription = new Subscription(subscriber, lastDurableId);
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
            if (!missed.isEmpty()) {
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

        Void delta(String text) {
            StreamPosition position = new StreamPosition(lastDurableId, ++transientSeq);
            answerInProgress.add(new Delta(position, text));
            broadcast(new StreamEvent(position.eventId(), EventTypes.BOT_DELTA, toJson(Map.of("text", text))));
            return null;
        }

        Void typing(boolean on) {
            if (typing != on) {
                typing = on;
                StreamPosition position = new StreamPosition(lastDurableId, ++transientSeq);
                broadcast(new StreamEvent(position.eventId(), EventTypes.TYPING, toJson(Map.of("on", on))));
            }
            return null;
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
