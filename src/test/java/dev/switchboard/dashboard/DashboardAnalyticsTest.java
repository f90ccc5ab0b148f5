package dev.switchboard.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bot.ModelAnswerLog;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.conversation.MessageSource;
import dev.switchboard.conversation.OfferedEntry;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The analytics page shows the figures of the data seeded here, in its numbers and in its charts. */
@QuarkusTest
class DashboardAnalyticsTest {

    @Inject
    AgentService agents;

    @Inject
    ConversationService conversations;

    @Inject
    ModelAnswerLog modelAnswers;

    @Test
    void theNumbersAndChartsMatchTheSeededConversations() {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        UUID shopId = UUID.fromString(shop.id());
        UUID faqAnswered = conversation(shop, "What is your return policy?");
        conversations.botReply(faqAnswered, "30 days.", MessageSource.faq(UUID.randomUUID()));
        UUID cached = conversation(shop, "Do you ship to Canada?");
        conversations.botReply(cached, "Yes.", MessageSource.model("llama-test")); // no generation: from the cache
        UUID generated = conversation(shop, "Do you ship to Peru?");
        conversations.botReply(generated, "Yes, in 9 days.", MessageSource.model("llama-test"));
        modelAnswers.record(new ModelAnswerLog.Figures(generated, "llama-test", ModelAnswerLog.Outcome.ANSWERED,
                100.0, 1100, 50, 2.5));
        modelAnswers.record(new ModelAnswerLog.Figures(generated, "llama-test", ModelAnswerLog.Outcome.ABANDONED,
                300.0, 2300, null, Double.NaN));
        UUID human = conversation(shop, "I want to talk to a person");
        conversations.handoff(human, HandoffReason.CUSTOMER_REQUEST, "A person will answer.");
        conversations.agentReply(human, "Ada", "Hi, Ada here.");
        UUID unanswered = conversation(shop, "Where is order 123?");
        conversations.handoff(unanswered, HandoffReason.MISSING_KNOWLEDGE, "A person will answer.");
        // written by no model: the offer counts as no answer, the entry picked from it as an FAQ answer
        UUID picked = conversation(shop, "returns policy for delivery");
        UUID entry = UUID.randomUUID();
        conversations.botReply(picked, "Is it one of these?", MessageSource.FAQ_OFFER,
                List.of(new OfferedEntry(entry, "What is your return policy?")));
        TestWorkspaces.postAsCustomer(shop, picked.toString(), "What is your return policy?");
        conversations.botReply(picked, "30 days.", MessageSource.faq(entry));
        UUID ignored = conversation(shop, "how soon will it get to me");
        conversations.botReply(ignored, "Is it one of these?", MessageSource.FAQ_OFFER,
                List.of(new OfferedEntry(UUID.randomUUID(), "How long does delivery take?")));
        UUID greeted = conversation(shop, "hi");
        conversations.botReply(greeted, "Hi! How can I help?", MessageSource.SMALL_TALK);
        rate(faqAnswered, 5);
        rate(human, 2);

        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String page = a.request().get("/agent/w/" + shopId + "/analytics").then().statusCode(200).extract().asString();

        assertEquals("8", kpi(page, "conversations"));
        assertEquals("2", kpi(page, "faq"));
        assertEquals("2", kpi(page, "model"));
        assertEquals("1", kpi(page, "human"));
        assertEquals("50 %", kpi(page, "cache"));
        assertEquals("2", kpi(page, "generations"));
        assertEquals("50 tok/s", kpi(page, "tps")); // 50 tokens in 1100 - 100 ms of decoding
        assertEquals("200 ms", kpi(page, "ttft")); // median of 100 and 300
        assertEquals("2.5", kpi(page, "acceptance"));
        assertTrue(page.contains("<title>" + DateTimeFormatter.ofPattern("MM-dd").format(LocalDate.now(ZoneOffset.UTC))
                + ": 8</title>"), "today's bar in the conversations chart");
        assertEquals("1 of 2", kpi(page, "offers"));
        for (String bar : new String[] {"faq: 2", "model: 2", "human: 1", "unanswered: 3", "customer request: 1",
                "missing knowledge: 1", "low confidence: 0", "FAQ: 2", "cache: 1"}) {
            assertTrue(page.contains("<title>" + bar + "</title>"), "a bar " + bar);
        }
        assertEquals("3.5 / 5 (2)", kpi(page, "csat").replaceAll("<[^>]+>", ""));
        a.request().get("/agent/w/" + shopId + "/analytics?days=0").then().statusCode(400);
    }

    private UUID conversation(TestWorkspace shop, String question) {
        String id = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, id, question);
        return UUID.fromString(id);
    }

    private static void rate(UUID conversation, int rating) {
        QuarkusTransaction.requiringNew().run(() -> Conversation.getEntityManager()
                .createNativeQuery("update conversations set rating = ?1 where id = ?2")
                .setParameter(1, rating).setParameter(2, conversation).executeUpdate());
    }

    private static String kpi(String page, String name) {
        return AgentLogin.find(Pattern.compile("<dd id=\"kpi-" + name + "\">(.*?)</dd>"), page);
    }
}
