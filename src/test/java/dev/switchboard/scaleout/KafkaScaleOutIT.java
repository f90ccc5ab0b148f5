package dev.switchboard.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.llm.FakeOpenAiServer;
import dev.switchboard.scaleout.ScaleOutCluster.Instance;
import dev.switchboard.scaleout.ScaleOutCluster.Workspace;
import dev.switchboard.support.Await;
import dev.switchboard.support.ProcessIT;
import dev.switchboard.support.SseClient;
import dev.switchboard.support.SseClient.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two platform instances (the packaged app, profile kafka) sharing one PostgreSQL and one real Kafka broker: a reply
 * streams to a client on either instance, whichever instance's bot produced it, with the same event ids everywhere;
 * and killing the instance that is answering loses nothing and answers nothing twice.
 */
@ProcessIT
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaScaleOutIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    // Questions the FAQ below does not answer outright, so the model answers them, grounded in that FAQ. Different
    // ones per test: a standalone question's model answer is cached for the workspace.
    private static final String QUESTION = "Can I pick up my order at your warehouse?";
    private static final String OTHER_QUESTION = "Do you offer gift wrapping for presents?";

    private static ScaleOutCluster cluster;
    private static Workspace workspace;

    @BeforeAll
    static void startCluster() throws Exception {
        // The instances need no peak performance: the client compiler alone and one GC thread start them with less
        // CPU, which matters on a busy CI machine.
        cluster = new ScaleOutCluster(2, true, List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        workspace = cluster.createWorkspace(cluster.instance(0));
        cluster.createFaq(cluster.instance(0), workspace, "How long does delivery take?",
                "Orders arrive within 3 to 5 business days.");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aMessagePostedOnOneInstanceStreamsItsReplyToClientsOnBothWithTheSameIds() throws Exception {
        Instance a = cluster.instance(0);
        Instance b = cluster.instance(1);
        for (Instance i : cluster.instances) {
            i.model().setDefaultReply(FakeOpenAiServer.answer("Yes,", " pick-up", " is possible", " from", " 9 am",
                    " to 5 pm.").slow(Duration.ZERO, Duration.ofMillis(400)));
        }
        String conversation = cluster.startConversation(a, workspace);
        try (SseClient onA = cluster.events(a, workspace, conversation, null);
                SseClient onB = cluster.events(b, workspace, conversation, null)) {
            cluster.post(a, workspace, conversation, QUESTION);

            // Join a client on the instance that is not answering, mid-answer, resuming after B's second delta.
            List<Event> seenOnB = new ArrayList<>();
            while (deltas(seenOnB).size() < 2) {
                seenOnB.add(onB.next());
            }
            Event secondDelta = deltas(seenOnB).get(1);
            Instance worker = worker();
            Instance other = worker == a ? b : a;
            try (SseClient resumed = cluster.events(other, workspace, conversation, secondDelta.id())) {
                List<Event> fromA = untilBotMessage(onA);
                seenOnB.addAll(untilBotMessage(onB));
                List<Event> fromResumed = untilBotMessage(resumed);

                String answer = "Yes, pick-up is possible from 9 am to 5 pm.";
                for (List<Event> stream : List.of(fromA, seenOnB)) {
                    assertEquals("message.created", stream.getFirst().name(), "the customer's message first");
                    assertEquals("customer", role(stream.getFirst()));
                    assertEquals(answer, text(deltas(stream)));
                    assertEquals("bot", role(stream.getLast()));
                    assertTrue(stream.getLast().data().contains(answer), stream.getLast().data());
                }
                // The answer's events were numbered once, by the worker: identical ids on both instances.
                assertEquals(ids(fromA), ids(seenOnB));
                // The resumed client got exactly the rest: what it missed as one catch-up delta, then live ones.
                List<Event> resumedDeltas = deltas(fromResumed);
                int after = ids(deltas(seenOnB)).indexOf(secondDelta.id());
                assertEquals(text(deltas(seenOnB).subList(after + 1, deltas(seenOnB).size())), text(resumedDeltas));
                assertEquals(ids(deltas(seenOnB)).getLast(), resumedDeltas.getLast().id());
                assertEquals("bot", role(fromResumed.getLast()));
            }
            assertEquals(0, other.model().requests().size(), "one instance answered");
        }
    }

    @Test
    @Order(2)
    void killingTheInstanceThatIsAnsweringLosesNothingAndTheOtherAnswersOnce() throws Exception {
        String[] words = "Yes, we wrap gifts for free on request.".split("(?= )");
        for (Instance i : cluster.instances) {
            i.model().reset();
            i.model().setDefaultReply(FakeOpenAiServer.answer(words).slow(Duration.ZERO, Duration.ofMillis(300)));
        }
        Instance a = cluster.instance(0);
        String conversation = cluster.startConversation(a, workspace);
        List<SseClient> streams = new ArrayList<>();
        try {
            for (Instance i : cluster.instances) {
                streams.add(cluster.events(i, workspace, conversation, null));
            }
            cluster.post(a, workspace, conversation, OTHER_QUESTION);
            Instance worker = worker();
            Instance survivor = worker == a ? cluster.instance(1) : a;
            SseClient onSurvivor = streams.get(cluster.instances.indexOf(survivor));
            // Mid-answer: the survivor's client already sees the worker's deltas.
            List<Event> seen = new ArrayList<>();
            while (deltas(seen).isEmpty()) {
                seen.add(onSurvivor.next());
            }
            worker.process().kill();

            // The worker's partition moves to the survivor, which gets the unacknowledged message again.
            seen.addAll(untilBotMessage(onSurvivor));
            String answer = String.join("", words);
            assertTrue(seen.getLast().data().contains(answer), seen.getLast().data());
            // A second question goes through the same partition after the first: once it is answered, any
            // duplicate answer of the first would have been stored before it.
            cluster.post(survivor, workspace, conversation, "And on Saturdays?");
            untilBotMessage(onSurvivor);
            assertEquals(List.of(List.of("customer", OTHER_QUESTION), List.of("bot", answer),
                    List.of("customer", "And on Saturdays?"), List.of("bot", answer)),
                    cluster.messages(survivor, workspace, conversation));
            assertEquals(2, survivor.model().requests().size(), "the survivor answered the first question again");
        } finally {
            streams.forEach(SseClient::close);
        }
    }

    /** The instance whose model was asked: the one whose bot is answering. */
    private static Instance worker() {
        Await.until("an instance asks its model", () -> cluster.instances.stream()
                .anyMatch(i -> !i.model().requests().isEmpty()));
        return cluster.instances.stream().filter(i -> !i.model().requests().isEmpty()).findFirst().orElseThrow();
    }

    private static List<Event> untilBotMessage(SseClient stream) {
        List<Event> events = new ArrayList<>();
        Event e;
        do {
            e = stream.next();
            events.add(e);
        } while (!("message.created".equals(e.name()) && "bot".equals(role(e))));
        return events;
    }

    private static List<Event> deltas(List<Event> events) {
        return events.stream().filter(e -> "bot.delta".equals(e.name())).toList();
    }

    private static List<String> ids(List<Event> events) {
        return events.stream().map(Event::id).toList();
    }

    private static String text(List<Event> deltas) {
        return deltas.stream().map(e -> field(e, "text")).collect(Collectors.joining());
    }

    private static String role(Event e) {
        return field(e, "role");
    }

    private static String field(Event e, String name) {
        try {
            return JSON.readTree(e.data()).path(name).asText();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
