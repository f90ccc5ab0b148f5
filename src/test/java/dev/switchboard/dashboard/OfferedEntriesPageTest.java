package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.llm.ChatModelProvider;
import dev.switchboard.support.Await;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The conversation page shows which FAQ entries the bot offered the customer, linked to the entries; an entry's page
 * shows what customers wrote before picking it, to add as a variant.
 */
@QuarkusTest
class OfferedEntriesPageTest {

    @Inject
    AgentService agents;

    @Test
    void theOfferedEntriesAreListedUnderTheBotsMessageAndItIsNoAnswerToPromote() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        TestWorkspace w = TestWorkspaces.create();
        String returns = TestWorkspaces.addFaq(w, "What is your return policy?", "Returns within 30 days, for free.");
        String delivery = TestWorkspaces.addFaq(w, "How long does delivery take?",
                "Orders arrive within 3 to 5 business days.");
        String message = TestWorkspaces.messageWithOffers(w);
        String conversation = TestWorkspaces.startWithApiKey(w);
        TestWorkspaces.postAsCustomer(w, conversation, message);
        awaitMessages(w, conversation, 2);

        String page = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(w.id())).request()
                .get("/agent/conversations/" + conversation).then().statusCode(200).extract().asString();
        Matcher bot = Pattern.compile("<li class=\"message role-bot\".*?</li>\\s*</ul>", Pattern.DOTALL).matcher(page);
        assertTrue(bot.find(), page);
        String offer = bot.group();
        int listed = 0;
        for (var entry : Map.of(returns, "What is your return policy?", delivery, "How long does delivery take?")
                .entrySet()) {
            String link = "<a href=\"/agent/w/" + w.id() + "/faq/" + entry.getKey() + "/edit\">" + entry.getValue()
                    + "</a>";
            listed += offer.contains(link) ? 1 : 0;
        }
        assertTrue(listed >= 1, offer);
        assertEquals(listed, offer.split("<li><a ").length - 1, "only offered entries are listed: " + offer);
        assertFalse(offer.contains("Promote to FAQ"), "the offer is no answer to make an entry of: " + offer);
    }

    @Test
    void aWordingCustomersPickedAnEntryForIsListedOnTheEntryAndBecomesAVariant() {
        QuarkusMock.installMockForType(new ChatModelProvider(Optional.empty()), ChatModelProvider.class);
        TestWorkspace w = TestWorkspaces.create();
        TestWorkspaces.addFaq(w, "What is your return policy?", "Returns within 30 days, for free.");
        TestWorkspaces.addFaq(w, "How long does delivery take?", "Orders arrive within 3 to 5 business days.");
        String wording = TestWorkspaces.messageWithOffers(w);
        List<String> offered = TestWorkspaces.offersFor(w, wording);
        String conversation = TestWorkspaces.startWithApiKey(w);
        TestWorkspaces.postAsCustomer(w, conversation, wording);
        awaitMessages(w, conversation, 2);
        String pickedId = offered.getFirst();
        String question = given().auth().oauth2(w.apiKey()).get("/api/v1/faqs/" + pickedId).then().statusCode(200)
                .extract().path("question");
        TestWorkspaces.postAsCustomer(w, conversation, question);
        awaitMessages(w, conversation, 4);

        AgentLogin agent = AgentLogin.newAgent(agents, AgentRole.AGENT, UUID.fromString(w.id()));
        String edit = "/agent/w/" + w.id() + "/faq/" + pickedId + "/edit";
        String page = agent.request().get(edit).then().statusCode(200).extract().asString();
        assertTrue(page.contains("id=\"picked\"") && page.contains("<td class=\"question\">" + wording + "</td>"),
                page);
        assertTrue(page.contains("<form method=\"post\" action=\"/agent/w/" + w.id() + "/faq/" + pickedId
                + "/variants\"><input type=\"hidden\" name=\"_csrf\""), page);
        assertTrue(page.contains("name=\"text\" value=\"" + wording + "\"><button class=\"link\">Add as a variant"),
                page);
        for (String other : given().auth().oauth2(w.apiKey()).get("/api/v1/faqs").then().statusCode(200)
                .extract().jsonPath().<String>getList("items.id")) {
            if (!other.equals(pickedId)) {
                agent.request().get("/agent/w/" + w.id() + "/faq/" + other + "/edit").then().statusCode(200)
                        .body(not(containsString("id=\"picked\"")));
            }
        }

        agent.form().formParam("text", wording).post("/agent/w/" + w.id() + "/faq/" + pickedId + "/variants")
                .then().statusCode(303);
        agent.request().get(edit).then().statusCode(200).body(not(containsString("id=\"picked\"")));
        assertEquals(pickedId, given().auth().oauth2(w.apiKey()).contentType("application/json")
                .body(Map.of("message", wording)).post("/api/v1/faqs/match").then().statusCode(200)
                .extract().path("answerId"), "answered at once as a variant");
    }

    private static void awaitMessages(TestWorkspace w, String conversation, int count) {
        Await.until(count + " messages", () -> given().auth().oauth2(w.apiKey())
                .get("/api/v1/conversations/" + conversation + "/messages").then().statusCode(200)
                .extract().jsonPath().getList("items").size() >= count);
    }
}
