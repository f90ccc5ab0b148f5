package dev.switchboard.conversation;

import static dev.switchboard.support.TestWorkspaces.postAsCustomer;
import static dev.switchboard.support.TestWorkspaces.startWithApiKey;
import static dev.switchboard.support.TestWorkspaces.startWithSiteKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.support.SseClient;
import dev.switchboard.support.SseClient.Event;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConversationEventsTest {

    @TestHTTPResource("/api/v1/conversations/")
    URI conversationsUri;

    @Inject
    ConversationService conversations;

    @Inject
    ConversationEvents events;

    @Inject
    ObjectMapper json;

    @Test
    void postedMessageArrivesAsMessageCreated() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = pendingConversation(w);
        try (SseClient stream = connect(w, id, Map.of())) {
            assertEquals(200, stream.status());
            assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());
            Map<String, Object> posted = postAsCustomer(w, id, "Is my order shipped?");

            Event e = stream.next();
            assertEquals(EventTypes.MESSAGE_CREATED, e.name());
            assertTrue(e.id().matches("\\d+"), "durable events have numeric ids: " + e.id());
            JsonNode data = json.readTree(e.data());
            assertEquals(posted.get("id"), data.get("id").asText());
            assertEquals("customer", data.get("role").asText());
            assertEquals("Is my order shipped?", data.get("content").asText());
        }
    }

    @Test
    void resumingWithLastEventIdReplaysExactlyTheMissedEvents() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = pendingConversation(w);
        String lastSeen;
        try (SseClient stream = connect(w, id, Map.of())) {
            postAsCustomer(w, id, "one");
            lastSeen = stream.next().id();
        }
        postAsCustomer(w, id, "two");
        postAsCustomer(w, id, "three");

        try (SseClient resumed = connect(w, id, Map.of("Last-Event-ID", lastSeen))) {
            List<Event> replayed = resumed.next(2);
            assertEquals(List.of("two", "three"), contents(replayed));
            postAsCustomer(w, id, "four");
            // The next event is the new one: nothing replayed twice, nothing in between.
            assertEquals(List.of("four"), contents(List.of(resumed.next())));
            assertTrue(Long.parseLong(replayed.get(0).id()) > Long.parseLong(lastSeen));
            assertEquals(List.of(), resumed.pending());
        }
    }

    @Test
    void concurrentPostsArriveOnceEachInIdOrder() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = pendingConversation(w);
        int threads = 4;
        int perThread = 5;
        try (SseClient stream = connect(w, id, Map.of());
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> posts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                posts.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        postAsCustomer(w, id, "t" + thread + "-" + i);
                    }
                }));
            }
            for (Future<?> post : posts) {
                post.get();
            }
            List<Event> received = stream.next(threads * perThread);
            for (int i = 1; i < received.size(); i++) {
                assertTrue(Long.parseLong(received.get(i).id()) > Long.parseLong(received.get(i - 1).id()),
                        "ids increase: " + received.get(i - 1).id() + " then " + received.get(i).id());
            }
            Set<String> expected = new HashSet<>();
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    expected.add("t" + t + "-" + i);
                }
            }
            assertEquals(expected, new HashSet<>(contents(received)));
            // Each thread's own posts arrive in the order it made them.
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "-";
                assertEquals(expected.stream().filter(c -> c.startsWith(prefix)).sorted().toList(),
                        contents(received).stream().filter(c -> c.startsWith(prefix)).toList());
            }
        }
    }

    @Test
    void handoffIsStreamedAsSystemMessageAndStatusChange() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        try (SseClient stream = connect(w, id, Map.of())) {
            conversations.handoff(UUID.fromString(id), HandoffReason.MISSING_KNOWLEDGE, "A colleague will answer.");
            List<Event> received = stream.next(2);
            assertEquals(EventTypes.MESSAGE_CREATED, received.get(0).name());
            JsonNode notice = json.readTree(received.get(0).data());
            assertEquals("system", notice.get("role").asText());
            assertEquals("A colleague will answer.", notice.get("content").asText());
            assertEquals(EventTypes.STATUS_CHANGED, received.get(1).name());
            JsonNode change = json.readTree(received.get(1).data());
            assertEquals("pending", change.get("status").asText());
            assertEquals("bot", change.get("previousStatus").asText());
            assertEquals("missing_knowledge", change.get("handoffReason").asText());
        }
    }

    @Test
    void deltasStreamLiveAndAReconnectGetsTheMissedPartAsOneDelta() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        UUID conversationId = UUID.fromString(id);
        try (SseClient live = connect(w, id, Map.of());
                ConversationEvents.LiveAnswer streaming = events.liveAnswer(conversationId)) {
            streaming.typing(true);
            streaming.delta("Our shop ");
            streaming.delta("opens at ");
            Event typing = live.next();
            assertEquals(EventTypes.TYPING, typing.name());
            assertTrue(json.readTree(typing.data()).get("on").asBoolean());
            Event first = live.next();
            Event second = live.next();
            assertEquals(List.of("Our shop ", "opens at "), List.of(text(first), text(second)));
            assertEquals(EventTypes.BOT_DELTA, first.name());
            // Transient ids extend the last durable id, so they sort after it.
            assertTrue(first.id().matches("\\d+\\.\\d+"), first.id());

            try (SseClient resumed = connect(w, id, Map.of("Last-Event-ID", first.id()));
                    SseClient fresh = connect(w, id, Map.of())) {
                Event catchUp = resumed.next();
                assertEquals("opens at ", text(catchUp));
                assertEquals(second.id(), catchUp.id());
                Event all = fresh.next();
                assertEquals("Our shop opens at ", text(all));

                streaming.delta("9 am.");
                for (SseClient client : List.of(live, resumed, fresh)) {
                    assertEquals("9 am.", text(client.next()));
                }
                conversations.botReply(conversationId, "Our shop opens at 9 am.", MessageSource.model("test-model"));
                for (SseClient client : List.of(live, resumed, fresh)) {
                    Event answer = client.next();
                    assertEquals(EventTypes.MESSAGE_CREATED, answer.name());
                    assertEquals("model", json.readTree(answer.data()).get("source").get("type").asText());
                }
            }
        }
        // The answer is complete: a new client gets no catch-up, only what happens next.
        try (SseClient after = connect(w, id, Map.of())) {
            conversations.handoff(conversationId, HandoffReason.LOW_CONFIDENCE, "Let me get a colleague.");
            assertEquals(EventTypes.MESSAGE_CREATED, after.next().name());
        }
    }

    @Test
    void liveEventsOfAnotherReplicaKeepTheirIdsAndACatchUpIsNeverPartial() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w); // no durable event yet: the answer continues event 0
        UUID conversationId = UUID.fromString(id);
        UUID answer = UUID.randomUUID();
        // This replica joins an answer another replica produces at its 5th event: 5001..5004 were never seen here.
        events.onNotice(delta(conversationId, answer, 0, 5005, "lo wor"));
        try (SseClient resumed = connect(w, id, Map.of("Last-Event-ID", "0.5004"))) {
            // Notices apply asynchronously: as a catch-up or live, the same event, and then it has been applied.
            Event catchUp = resumed.next();
            assertEquals("lo wor", text(catchUp));
            assertEquals("0.5005", catchUp.id(), "the producer's numbering, not this replica's");
            try (SseClient fresh = connect(w, id, Map.of());
                    SseClient behind = connect(w, id, Map.of("Last-Event-ID", "0.5002"))) {
                events.onNotice(delta(conversationId, answer, 0, 5006, "ld"));
                for (SseClient client : List.of(fresh, resumed, behind)) {
                    Event live = client.next();
                    assertEquals("ld", text(live));
                    assertEquals("0.5006", live.id());
                }
                conversations.botReply(conversationId, "Hello world", MessageSource.model("test-model"));
                for (SseClient client : List.of(fresh, resumed, behind)) {
                    // fresh and behind got no catch-up with a hole in it
                    assertEquals(List.of("Hello world"), contents(List.of(client.next())));
                }
                // A delta of that answer arriving after a newer durable event belongs to nothing shown any more.
                events.onNotice(delta(conversationId, answer, 0, 5007, "!"));
                conversations.handoff(conversationId, HandoffReason.LOW_CONFIDENCE, "Let me get a colleague.");
                for (SseClient client : List.of(fresh, resumed, behind)) {
                    assertEquals(List.of("Let me get a colleague."), contents(List.of(client.next())));
                    assertEquals(EventTypes.STATUS_CHANGED, client.next().name());
                }
            }
        }
    }

    @Test
    void aClientResumingAheadOfThisReplicaGetsNoLiveEventTwice() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        UUID conversationId = UUID.fromString(id);
        UUID answer = UUID.randomUUID();
        events.onNotice(new StreamNotice(StreamNotice.Kind.DELTA, conversationId, answer, 0, 7001, true, "We ", false));
        // The client read up to 0.7003 on the replica producing the answer; this one has read only 0.7001 so far.
        try (SseClient resumed = connect(w, id, Map.of("Last-Event-ID", "0.7003"));
                SseClient fresh = connect(w, id, Map.of())) {
            events.onNotice(delta(conversationId, answer, 0, 7002, "ship "));
            events.onNotice(delta(conversationId, answer, 0, 7003, "to "));
            events.onNotice(delta(conversationId, answer, 0, 7004, "Austria."));
            Event next = resumed.next();
            assertEquals("Austria.", text(next));
            assertEquals("0.7004", next.id());
            List<String> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(text(fresh.next()));
            }
            assertEquals(List.of("We ", "ship ", "to ", "Austria."), all, "a new client: a catch-up, then every delta");
        }
    }

    private static StreamNotice delta(UUID conversationId, UUID answerId, long base, long seq, String text) {
        return new StreamNotice(StreamNotice.Kind.DELTA, conversationId, answerId, base, seq, false, text, false);
    }

    @Test
    void widgetStreamsWithQueryParametersAndOnlyWithItsOwnToken() {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation mine = startWithSiteKey(w);
        WidgetConversation other = startWithSiteKey(w);
        try (SseClient stream = SseClient.connect(conversationsUri.resolve(mine.id() + "/events?site_key="
                + mine.siteKey() + "&visitor_token=" + mine.visitorToken()), Map.of())) {
            assertEquals(200, stream.status());
            assertEquals("connected", stream.nextComment());
            assertEquals("keep-alive", stream.nextComment());
        }
        try (SseClient denied = SseClient.connect(conversationsUri.resolve(mine.id() + "/events?site_key="
                + mine.siteKey() + "&visitor_token=" + other.visitorToken()), Map.of())) {
            assertEquals(404, denied.status());
            assertTrue(denied.contentType().startsWith("application/problem+json"), denied.contentType());
        }
    }

    @Test
    void malformedLastEventIdIsABadRequest() {
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        try (SseClient stream = connect(w, id, Map.of("Last-Event-ID", "yesterday"))) {
            assertEquals(400, stream.status());
            assertTrue(stream.contentType().startsWith("application/problem+json"), stream.contentType());
        }
    }

    /** Handed off first, so a bot consuming the channel adds nothing to these streams. */
    private String pendingConversation(TestWorkspace w) {
        String id = startWithApiKey(w);
        conversations.handoff(UUID.fromString(id), HandoffReason.CUSTOMER_REQUEST, "Connecting you to a person.");
        return id;
    }

    private SseClient connect(TestWorkspace w, String id, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Authorization", w.bearer());
        return SseClient.connect(conversationsUri.resolve(id + "/events"), all);
    }

    private List<String> contents(List<Event> received) throws Exception {
        List<String> contents = new ArrayList<>();
        for (Event e : received) {
            assertEquals(EventTypes.MESSAGE_CREATED, e.name());
            contents.add(json.readTree(e.data()).get("content").asText());
        }
        return contents;
    }

    private String text(Event e) throws Exception {
        assertEquals(EventTypes.BOT_DELTA, e.name());
        return json.readTree(e.data()).get("text").asText();
    }
}
