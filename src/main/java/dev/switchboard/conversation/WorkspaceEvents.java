package dev.switchboard.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * A workspace-level feed for the agent dashboard's inbox: one event {@value #ACTIVITY} per change of any of the
 * workspace's conversations, with data {@code {"conversationId":..., "kind":"committed"|"typing_on"|"typing_off"}}.
 * It carries no content (the inbox fetches what it shows, with the agent's unread counts), and it is fed only by
 * {@link ConversationActivity}, i.e. by the same notifications as the per-conversation streams: whatever brings
 * another replica's events to {@link ConversationEvents} brings them here.
 */
@ApplicationScoped
public class WorkspaceEvents {

    private static final Logger LOG = Logger.getLogger(WorkspaceEvents.class);

    public static final String ACTIVITY = "conversation.activity";
    /** Conversations never move between workspaces, so their workspace is cached (bounded, most recent kept). */
    private static final int CACHED_CONVERSATIONS = 10_000;

    @Inject
    ObjectMapper json;

    private final ConcurrentHashMap<UUID, List<ConversationEvents.Subscriber>> subscribers =
            new ConcurrentHashMap<>();
    private final Map<UUID, UUID> workspaceOf = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, UUID> eldest) {
            return size() > CACHED_CONVERSATIONS;
        }
    });
    // One thread: a conversation's typing on/off reach the inbox in the order they happened.
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("workspace-events").daemon().factory());

    /** Adds a subscriber to the workspace's feed until it reports its client gone. */
    public void subscribe(UUID workspaceId, ConversationEvents.Subscriber subscriber) {
        // Added before the first write: once the client sees the stream open, no later change can be missed.
        List<ConversationEvents.Subscriber> list =
                subscribers.computeIfAbsent(workspaceId, id -> new CopyOnWriteArrayList<>());
        list.add(subscriber);
        if (!subscriber.comment("connected")) {
            list.remove(subscriber);
        }
    }

    public int subscriberCount() {
        return subscribers.values().stream().mapToInt(List::size).sum();
    }

    void onActivity(@Observes ConversationActivity activity) {
        if (!subscribers.isEmpty()) {
            delivery.execute(() -> {
                try {
                    deliver(activity);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Could not deliver activity of conversation %s to the workspace feed",
                            activity.conversationId());
                }
            });
        }
    }

    @Scheduled(every = "${switchboard.sse.keep-alive:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void keepAlive() {
        subscribers.values().forEach(list -> list.removeIf(s -> !s.comment("keep-alive")));
    }

    @PreDestroy
    void stop() {
        delivery.shutdownNow();
    }

    private void deliver(ConversationActivity activity) {
        UUID workspaceId = workspaceOf.computeIfAbsent(activity.conversationId(), id ->
                QuarkusTransaction.requiringNew().call(() -> Conversation.<Conversation>findByIdOptional(id)
                        .map(c -> c.workspaceId).orElse(null)));
        List<ConversationEvents.Subscriber> listeners = workspaceId == null ? null : subscribers.get(workspaceId);
        if (listeners == null || listeners.isEmpty()) {
            return;
        }
        StreamEvent event = new StreamEvent(null, ACTIVITY, toJson(Map.of(
                "conversationId", activity.conversationId(), "kind", activity.kind().name().toLowerCase(Locale.ROOT))));
        listeners.removeIf(s -> !s.deliver(event));
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data not serialisable: " + value, e);
        }
    }
}
