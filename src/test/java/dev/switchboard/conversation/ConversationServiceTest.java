package dev.switchboard.conversation;

import static dev.switchboard.support.TestWorkspaces.postAsCustomer;
import static dev.switchboard.support.TestWorkspaces.startWithApiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.common.ApiException;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.workspace.Caller;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The service API the bot pipeline calls. */
@QuarkusTest
class ConversationServiceTest {

    @Inject
    ConversationService conversations;

    @Inject
    UnansweredMessageRecovery recovery;

    @Inject
    CustomerMessageRecorder recorder;

    @Inject
    ObjectMapper json;

    @Test
    void botReplyIsRefusedOnceAHumanTookOver() {
        TestWorkspace w = TestWorkspaces.create();
        UUID id = UUID.fromString(startWithApiKey(w));
        Message reply = conversations.botReply(id, "Hello!", MessageSource.faq(UUID.randomUUID()));
        assertNotNull(reply);
        assertEquals(MessageRole.BOT, reply.role);

        conversations.takeOver(id, "Ada");
        assertNull(conversations.botReply(id, "Too late", MessageSource.model("m")));
        assertEquals(List.of("Hello!"), conversations.messages(id).stream().map(m -> m.content).toList());
        assertEquals(ConversationStatus.OPEN, conversations.findConversation(id).orElseThrow().status);
    }

    @Test
    void handoffSetsPendingWithReasonAndTellsTheCustomerOnce() {
        TestWorkspace w = TestWorkspaces.create();
        UUID id = UUID.fromString(startWithApiKey(w));
        conversations.handoff(id, HandoffReason.INFERENCE_UNAVAILABLE, "Our assistant is offline; an agent will reply.");
        conversations.handoff(id, HandoffReason.POLICY, "repeated");

        Conversation c = conversations.findConversation(id).orElseThrow();
        assertEquals(ConversationStatus.PENDING, c.status);
        assertEquals(HandoffReason.INFERENCE_UNAVAILABLE, c.handoffReason);
        List<Message> messages = conversations.messages(id);
        assertEquals(1, messages.size());
        assertEquals(MessageRole.SYSTEM, messages.get(0).role);
        assertEquals("Our assistant is offline; an agent will reply.", messages.get(0).content);
        assertNull(messages.get(0).source());
    }

    @Test
    void awaitsBotAnswerUntilTheBotOrAHumanAnswers() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        String id = startWithApiKey(w);
        UUID first = UUID.fromString((String) postAsCustomer(w, id, "Hi").get("id"));
        UUID second = UUID.fromString((String) postAsCustomer(w, id, "Are you there?").get("id"));
        assertTrue(conversations.awaitsBotAnswer(first));
        assertTrue(conversations.awaitsBotAnswer(second));

        conversations.botReply(UUID.fromString(id), "Yes!", MessageSource.model("m"));
        assertFalse(conversations.awaitsBotAnswer(first));
        assertFalse(conversations.awaitsBotAnswer(second));

        UUID third = UUID.fromString((String) postAsCustomer(w, id, "Great").get("id"));
        assertTrue(conversations.awaitsBotAnswer(third));
        conversations.handoff(UUID.fromString(id), HandoffReason.CUSTOMER_REQUEST, "One moment.");
        assertFalse(conversations.awaitsBotAnswer(third));
    }

    @Test
    void aCustomerMessageCommitsOnItsOwnEvenInsideACallersTransactionThatRollsBack() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        UUID id = UUID.fromString(startWithApiKey(w));
        Caller caller = new Caller(UUID.fromString(w.id()), true);

        AtomicReference<Message> acknowledged = new AtomicReference<>();
        assertThrows(QuarkusTransactionException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            acknowledged.set(conversations.postCustomerMessage(caller, id, null, "Is my order on its way?"));
            QuarkusTransaction.setRollbackOnly();
        }));
        Message posted = acknowledged.get();

        // Acknowledged means committed: the caller's rollback takes nothing back, and the event is there too.
        assertEquals(List.of(posted.id), conversations.messages(id).stream().map(m -> m.id).toList());
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> ConversationEvent.count(
                "conversationId = ?1 and type = ?2", id, EventTypes.MESSAGE_CREATED)));
        assertTrue(posted.seq > 0);
        Await.until("the bot hears of it", () -> recorder.received().stream()
                .anyMatch(p -> p.messageId().equals(posted.id)));
    }

    @Test
    void aCustomerMessageTheOneStatementCannotStoreTakesTheLockedPath() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        UUID id = UUID.fromString(startWithApiKey(w));
        Caller caller = new Caller(UUID.fromString(w.id()), true);
        conversations.resolve(id);

        conversations.postCustomerMessage(caller, id, null, "One more question");

        assertEquals(ConversationStatus.BOT, conversations.findConversation(id).orElseThrow().status);
        Caller stranger = new Caller(UUID.fromString(TestWorkspaces.create().id()), true);
        assertThrows(ApiException.class, () -> conversations.postCustomerMessage(stranger, id, null, "Hi"));
        assertEquals(List.of("One more question"), conversations.messages(id).stream()
                .filter(m -> m.role == MessageRole.CUSTOMER).map(m -> m.content).toList());
    }

    @Test
    void recoveryReEmitsTheLastUnansweredCustomerMessageOfBotConversations() {
        NoBot.install();
        TestWorkspace w = TestWorkspaces.create();
        String unanswered = startWithApiKey(w);
        postAsCustomer(w, unanswered, "earlier");
        UUID last = UUID.fromString((String) postAsCustomer(w, unanswered, "still waiting").get("id"));
        String answered = startWithApiKey(w);
        UUID answeredMessage = UUID.fromString((String) postAsCustomer(w, answered, "hi").get("id"));
        conversations.botReply(UUID.fromString(answered), "Hello", MessageSource.model("m"));
        String handedOff = startWithApiKey(w);
        UUID handedOffMessage = UUID.fromString((String) postAsCustomer(w, handedOff, "human please").get("id"));
        conversations.handoff(UUID.fromString(handedOff), HandoffReason.CUSTOMER_REQUEST, "One moment.");
        Await.until("the posts are emitted", () -> recorder.received().stream()
                .anyMatch(p -> p.messageId().equals(handedOffMessage)));

        recovery.onStart(null);

        CustomerMessagePosted expected = new CustomerMessagePosted(UUID.fromString(w.id()),
                UUID.fromString(unanswered), last);
        Await.until("the unanswered message is emitted again",
                () -> recorder.received().stream().filter(expected::equals).count() == 2);
        assertEquals(1, recorder.received().stream().filter(p -> p.messageId().equals(answeredMessage)).count());
        assertEquals(1, recorder.received().stream().filter(p -> p.messageId().equals(handedOffMessage)).count());
        assertEquals(1, recorder.received().stream()
                .filter(p -> p.conversationId().equals(UUID.fromString(unanswered)) && !p.messageId().equals(last))
                .count(), "the earlier message was emitted once, when posted");
    }

    @Test
    void messageSourcesSerialiseAsTheApiShowsThem() throws Exception {
        UUID faq = UUID.fromString("11111111-2222-4333-8444-555555555555");
        assertEquals("{\"type\":\"faq\",\"faqId\":\"11111111-2222-4333-8444-555555555555\"}",
                json.writeValueAsString(MessageSource.faq(faq)));
        assertEquals("{\"type\":\"model\",\"model\":\"llama\"}", json.writeValueAsString(MessageSource.model("llama")));
        assertEquals("{\"type\":\"bot\",\"kind\":\"small-talk\"}", json.writeValueAsString(MessageSource.SMALL_TALK));
        assertEquals("{\"type\":\"bot\",\"kind\":\"faq-offer\"}", json.writeValueAsString(MessageSource.FAQ_OFFER));
        assertThrows(IllegalArgumentException.class, () -> new MessageSource(MessageSource.BOT, null, null, "poem"));
        assertEquals("\"inference_unavailable\"", json.writeValueAsString(HandoffReason.INFERENCE_UNAVAILABLE));
        assertEquals(HandoffReason.LOW_CONFIDENCE, json.readValue("\"low_confidence\"", HandoffReason.class));
        assertThrows(IllegalArgumentException.class, () -> MessageSource.model(" "));
        assertThrows(IllegalArgumentException.class, () -> new MessageSource("faq", null, null, null));
    }
}
