package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** "Send FAQ answer" in the conversation view, and the learned wording on the FAQ page, visible and removable. */
@QuarkusTest
class FaqAnswerPagesTest {

    private static final String WORDING = "my login keeps getting rejected and I am locked out";

    @Inject
    AgentService agents;

    @Test
    void sendingAnFaqAnswerRepliesAndTeachesTheCustomersWordingWhichTheFaqPageShowsAndCanRemove() {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        UUID shopId = UUID.fromString(shop.id());
        String faqId = given().header("Authorization", shop.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "How do I reset my password?", "answer", "Use 'Forgot password?'."))
                .post("/api/v1/faqs").then().statusCode(201).extract().path("id");
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String c = TestWorkspaces.startWithApiKey(shop);
        TestWorkspaces.postAsCustomer(shop, c, WORDING);

        a.request().get("/agent/conversations/" + c).then().statusCode(200)
                .body(containsString("Send FAQ answer"));
        a.form().formParam("faqId", faqId).post("/agent/conversations/" + c + "/faq-answer").then().statusCode(303);

        given().header("Authorization", shop.bearer()).get("/api/v1/conversations/{id}/messages", c).then()
                .body("items.find { it.role == 'agent' }.content", equalTo("Use 'Forgot password?'."));
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/{id}", faqId).then()
                .body("variants.text", equalTo(List.of(WORDING))).body("variants.source", hasItem("agent"));
        a.request().get("/agent/w/" + shopId + "/faq/" + faqId + "/edit").then().statusCode(200)
                .body(containsString("Learned from agents")).body(containsString(WORDING));

        // removing the line on the FAQ form removes the learned variant
        a.form().formParam("question", "How do I reset my password?").formParam("answer", "Use 'Forgot password?'.")
                .formParam("language", "en").formParam("variants", "")
                .post("/agent/w/" + shopId + "/faq/" + faqId).then().statusCode(303);
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/{id}", faqId).then()
                .body("variants.size()", equalTo(0));
    }

    @Test
    void tryingAnUnsureMessageShowsTheEntriesABotWithoutAModelOffers() {
        TestWorkspace shop = TestWorkspaces.create();
        UUID shopId = UUID.fromString(shop.id());
        Map<String, String> questions = new java.util.HashMap<>();
        for (String q : List.of("How long does delivery take?", "What is your return policy?")) {
            questions.put(TestWorkspaces.addFaq(shop, q, "An answer to: " + q), q);
        }
        String wording = TestWorkspaces.messageWithOffers(shop);
        List<String> offers = TestWorkspaces.offersFor(shop, wording);
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String page = "/agent/w/" + shopId + "/faq";

        String listed = offers.stream().map(id -> "“" + questions.get(id) + "”").collect(Collectors.joining(", "));
        a.request().queryParam("try", wording).get(page).then().statusCode(200)
                .body(containsString("Without a model the bot asks the customer which of these they mean: " + listed
                        + "."))
                .body(not(containsString("without one the bot does not answer it from the FAQ")))
                .body(not(containsString("otherwise an agent takes it")));
        a.request().queryParam("try", "How long does delivery take?").get(page).then().statusCode(200)
                .body(not(containsString("class=\"offers\"")));
    }

    @Test
    void tryingAMessageShowsWhatTheBotWouldDoAndItsWordingCanBecomeAVariant() {
        TestWorkspace shop = TestWorkspaces.create();
        UUID shopId = UUID.fromString(shop.id());
        String delivery = given().header("Authorization", shop.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "How long does delivery take?", "answer", "Orders arrive in 3 to 5 days."))
                .post("/api/v1/faqs").then().statusCode(201).extract().path("id");
        given().header("Authorization", shop.bearer()).contentType(ContentType.JSON)
                .body(Map.of("question", "What is your return policy?", "answer", "30 days, free of charge."))
                .post("/api/v1/faqs").then().statusCode(201);
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        String page = "/agent/w/" + shopId + "/faq";

        a.request().queryParam("try", "How long does delivery take?").get(page).then().statusCode(200)
                .body(containsString("data-outcome=\"answer\""))
                .body(containsString("answers at once with the entry “How long does delivery take?”"));
        a.request().queryParam("try", "can I talk to a real person").get(page).then().statusCode(200)
                .body(containsString("data-outcome=\"human\""));
        a.request().queryParam("try", "when will my parcel be here").get(page).then().statusCode(200)
                .body(containsString("data-outcome=\"own-account\""));

        String wording = "how quickly do orders get to Norway";
        String before = a.request().queryParam("try", wording).get(page).then().statusCode(200)
                .body(containsString("data-near=\"" + delivery + "\""))
                .body(containsString("Add as a variant")).extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(before.contains("data-outcome=\"answer\""),
                "the wording is not answered before it is a variant");

        a.form().formParam("text", wording).post(page + "/" + delivery + "/variants").then().statusCode(303)
                .header("Location", containsString("/faq?try=how+quickly+do+orders+get+to+Norway"));
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs/{id}", delivery).then()
                .body("variants.text", equalTo(List.of(wording))).body("variants.source", equalTo(List.of("author")));
        a.request().queryParam("try", wording).get(page).then().statusCode(200)
                .body(containsString("data-outcome=\"answer\""));

        // another workspace's entry is not one to add to
        String stranger = given().header("Authorization", TestWorkspaces.create().bearer())
                .contentType(ContentType.JSON).body(Map.of("question", "Q?", "answer", "A."))
                .post("/api/v1/faqs").then().statusCode(201).extract().path("id");
        a.form().formParam("text", wording).post(page + "/" + stranger + "/variants").then().statusCode(404);
    }

    @Inject
    ConversationService conversations;

    @Test
    void theFaqPageSuggestsRepeatedHandAnswersAndAddsOneToTheFaq() {
        NoBot.install();
        TestWorkspace shop = TestWorkspaces.create();
        UUID shopId = UUID.fromString(shop.id());
        AgentLogin a = AgentLogin.newAgent(agents, AgentRole.AGENT, shopId);
        for (String q : List.of("Can I bring my dog into the store?", "are dogs allowed in your shop")) {
            String c = TestWorkspaces.startWithApiKey(shop);
            TestWorkspaces.postAsCustomer(shop, c, q);
            conversations.agentReply(UUID.fromString(c), "Ana", "Dogs on a lead are welcome in all our stores.");
        }
        a.request().get("/agent/w/" + shopId + "/faq").then().statusCode(200)
                .body(containsString("Suggested entries"))
                .body(containsString("Dogs on a lead are welcome in all our stores."));
        String id = given().header("Authorization", shop.bearer()).get("/api/v1/faqs/suggestions").then()
                .extract().path("items[0].id");

        a.form().post("/agent/w/" + shopId + "/faq/suggestions/" + id + "/accept").then().statusCode(303);
        given().header("Authorization", shop.bearer()).get("/api/v1/faqs").then()
                .body("items.size()", equalTo(1))
                .body("items[0].answer", equalTo("Dogs on a lead are welcome in all our stores."))
                .body("items[0].variants.size()", equalTo(1));
        a.request().get("/agent/w/" + shopId + "/faq").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString("Suggested entries")));
    }
}
