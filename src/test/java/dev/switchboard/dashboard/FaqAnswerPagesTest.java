package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

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
