package dev.switchboard.conversation;

import static dev.switchboard.conversation.LabelsApiTest.api;
import static dev.switchboard.conversation.LabelsApiTest.createLabel;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.dashboard.AgentRole;
import dev.switchboard.dashboard.AgentService;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SearchApiTest {

    @Inject
    ConversationService conversations;

    @Inject
    AgentService agents;

    @Inject
    MessageSearch search;

    TestWorkspace shop;

    @BeforeEach
    void setUp() {
        NoBot.install();
        shop = TestWorkspaces.create();
    }

    @Test
    void theMostRecentlyActiveConversationComesFirstWithItsLatestMatchAsAnEscapedSnippet() {
        String first = conversationWith(shop, "Hello, I would like a refund for the blue jumper I bought last week, "
                + "it does not fit me and the colour is not what the picture showed either.");
        String second = conversationWith(shop, "Refund please! I asked for a refund twice, where is my refund?");
        String third = conversationWith(shop, "Still no refund. When does the refund come?");
        String none = conversationWith(shop, "Is 2 < 3 & 4 > 1? Where is my parcel? <script>alert(1)</script>");

        JsonPath found = search(shop, Map.of("q", "refund"));
        assertEquals(List.of(third, second, first), found.getList("hits.conversationId"));
        assertTrue(found.getString("hits[0].snippet").contains("Still no <mark>refund</mark>"));
        assertEquals("customer", found.getString("hits[0].role"));
        assertTrue(Instant.parse(found.getString("hits[0].lastActivityAt"))
                .isAfter(Instant.parse(found.getString("hits[1].lastActivityAt"))));

        TestWorkspaces.postAsCustomer(shop, first, "Any news about my refund?");
        found = search(shop, Map.of("q", "refund"));
        assertEquals(List.of(first, third, second), found.getList("hits.conversationId"), "new activity: on top");
        assertEquals("Any news about my <mark>refund</mark>?", found.getString("hits[0].snippet"));

        String escaped = search(shop, Map.of("q", "parcel")).getString("hits[0].snippet");
        // ts_headline drops what looks like a tag; everything else is escaped
        assertTrue(escaped.contains("2 &lt; 3 &amp; 4 &gt; 1") && !escaped.contains("<script"), escaped);
        assertEquals(List.of(none), search(shop, Map.of("q", "parcel")).getList("hits.conversationId"));
    }

    @Test
    void everyWordMustMatchAsAWordOrItsStartInAnyLanguage() {
        String refunded = conversationWith(shop, "The parcel was refunded yesterday");
        String german = conversationWith(shop, "Ich möchte eine Rückerstattung für das Paket");
        String greek = conversationWith(shop, "Πού είναι η παραγγελία μου;");
        String upper = conversationWith(shop, "ÜBERWEISUNG");
        conversationWith(shop, "The refund is late");

        assertEquals(List.of(refunded), search(shop, Map.of("q", "refund parcel")).getList("hits.conversationId"));
        assertEquals(List.of(german), search(shop, Map.of("q", "RÜCKERSTATTUNG")).getList("hits.conversationId"));
        assertEquals(List.of(greek), search(shop, Map.of("q", "ΠΑΡΑΓΓΕΛΊΑ")).getList("hits.conversationId"));
        assertEquals(List.of(upper), search(shop, Map.of("q", "überweisung")).getList("hits.conversationId"));
        assertEquals(2, search(shop, Map.of("q", "refund")).getList("hits").size());
        // punctuation is no operator: it only separates words
        assertEquals(List.of(refunded), search(shop, Map.of("q", "parcel & !refunded)(:*"))
                .getList("hits.conversationId"));
    }

    @Test
    void filtersByStatusLabelAndDate() {
        TestClock clock = TestClock.install(Instant.parse("2026-03-01T10:00:00Z"));
        String march = conversationWith(shop, "My voucher code does not work");
        clock.advance(Duration.ofDays(10));
        String later = conversationWith(shop, "The voucher expired before I could use it");
        String labelled = conversationWith(shop, "Can I get a voucher for my next order?");
        conversations.resolve(UUID.fromString(later));
        String vip = createLabel(shop, "vip", null);
        api(shop).put("/api/v1/conversations/{c}/labels/{l}", labelled, vip).then().statusCode(200);

        assertEquals(Set.of(march, later, labelled), idSet(Map.of("q", "voucher")));
        assertEquals(List.of(later), ids(Map.of("q", "voucher", "status", "resolved")));
        assertEquals(Set.of(march, labelled), idSet(Map.of("q", "voucher", "status", "bot")));
        assertEquals(List.of(labelled), ids(Map.of("q", "voucher", "label", vip)));
        assertEquals(List.of(), ids(Map.of("q", "voucher", "label", vip, "status", "resolved")));
        assertEquals(List.of(march), ids(Map.of("q", "voucher", "to", "2026-03-01")));
        assertEquals(Set.of(later, labelled), idSet(Map.of("q", "voucher", "from", "2026-03-02")));
        assertEquals(List.of(march), ids(Map.of("q", "voucher", "from", "2026-03-01T09:59:00Z",
                "to", "2026-03-01T10:00:01Z")));
        assertEquals(List.of(), ids(Map.of("q", "voucher", "from", "2026-03-02", "to", "2026-03-05")));
    }

    @Test
    void filtersByAssignedAgentOrTeam() {
        UUID ada = agents.create("agent-" + UUID.randomUUID() + "@example.com", "Ada", "correct horse battery",
                AgentRole.AGENT, List.of(UUID.fromString(shop.id()))).agent().id;
        String team = api(shop).contentType(ContentType.JSON).body(Map.of("name", "Returns", "memberIds", List.of(ada)))
                .post("/api/v1/teams").then().statusCode(201).extract().path("id");
        String adas = conversationWith(shop, "Where is my return label?");
        String teams = conversationWith(shop, "The return label is unreadable");
        String nobodys = conversationWith(shop, "I lost my return label");
        api(shop).contentType(ContentType.JSON).body(Map.of("agentId", ada, "teamId", team))
                .put("/api/v1/conversations/{id}/assignment", adas).then().statusCode(200);
        api(shop).contentType(ContentType.JSON).body(Map.of("teamId", team))
                .put("/api/v1/conversations/{id}/assignment", teams).then().statusCode(200);

        assertEquals(List.of(adas), ids(Map.of("q", "return label", "assignee", ada.toString())));
        assertEquals(Set.of(teams, nobodys), idSet(Map.of("q", "return label", "assignee", "none")));
        assertEquals(Set.of(adas, teams), idSet(Map.of("q", "return label", "team", team)));
        assertEquals(List.of(teams), ids(Map.of("q", "return label", "team", team, "assignee", "none")));
        assertEquals(List.of(), ids(Map.of("q", "return label", "assignee", UUID.randomUUID().toString())));
        for (String bad : List.of("assignee", "team")) {
            api(shop).queryParam("q", "label").queryParam(bad, "ada").get("/api/v1/search").then().statusCode(400)
                    .body("detail", containsString("'" + bad + "'"));
        }
    }

    @Test
    void pagesFollowByCursorWithoutRepeatsOrGaps() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            all.add(conversationWith(shop, "warranty " + "claim ".repeat(i) + "for order " + i));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> params = new java.util.HashMap<>(Map.of("q", "warranty claim", "limit", "2"));
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonPath page = search(shop, params);
            seen.addAll(page.getList("hits.conversationId"));
            cursor = page.getString("nextCursor");
            pages++;
        } while (cursor != null && pages < 10);
        // the first has no "claim": every word must match
        assertEquals(6, seen.size(), seen.toString());
        assertEquals(3, pages);
        assertEquals(6, new HashSet<>(seen).size());
        assertEquals(all.subList(1, 7).reversed(), seen, "newest first");
        assertEquals(seen, search(shop, Map.of("q", "warranty claim", "limit", "50")).getList("hits.conversationId"));
    }

    @Test
    void collectingFromTheIndexFindsTheSamePagesAsWalkingTheNewestConversations() {
        TestClock clock = TestClock.install(Instant.parse("2026-05-01T08:00:00Z"));
        String vip = createLabel(shop, "vip", null);
        for (int i = 0; i < 9; i++) {
            String id = conversationWith(shop, (i % 2 == 0 ? "delivery " : "refund ") + "question number " + i);
            if (i % 3 == 0) {
                api(shop).put("/api/v1/conversations/{c}/labels/{l}", id, vip).then().statusCode(200);
            }
            clock.advance(Duration.ofHours(1));
        }
        UUID workspace = UUID.fromString(shop.id());
        for (MessageSearch.Filters filters : List.of(new MessageSearch.Filters(null, null, null, null, null, null),
                new MessageSearch.Filters(null, vip, null, null, null, null),
                new MessageSearch.Filters(null, null, null, null, "2026-05-01T10:30:00Z", null))) {
            for (String words : List.of("question", "delivery number", "refund", "nothing")) {
                List<List<String>> walked = pages(workspace, words, filters, MessageSearch.WALK);
                // a walk of one conversation never fills a page of 2: every page comes from the index
                assertEquals(walked, pages(workspace, words, filters, 1), words + " " + filters);
            }
        }
        assertEquals(5, pages(workspace, "question", new MessageSearch.Filters(null, null, null, null, null, null),
                1).size(), "9 hits, 2 a page");
    }

    /** Every page of a search as "conversation id: snippet" lines, following the cursors. */
    private List<List<String>> pages(UUID workspace, String words, MessageSearch.Filters filters, int walk) {
        List<List<String>> pages = new ArrayList<>();
        String cursor = null;
        do {
            MessageSearch.Page page = search.search(workspace, search.query(workspace, words, filters, cursor, 2), walk);
            pages.add(page.hits().stream().map(h -> h.conversationId() + ": " + h.snippet()).toList());
            cursor = page.nextCursor();
        } while (cursor != null);
        return pages;
    }

    @Test
    void aWorkspaceNeverSeesAnothersResults() {
        TestWorkspace other = TestWorkspaces.create();
        String mine = conversationWith(shop, "Secret discount for the invoice");
        conversationWith(other, "Nothing secret here");
        String theirLabel = createLabel(other, "vip", null);

        assertEquals(List.of(mine), ids(Map.of("q", "secret")));
        api(other).queryParam("q", "discount").get("/api/v1/search").then().statusCode(200)
                .body("hits", empty()).body("nextCursor", nullValue());
        api(shop).queryParam("q", "secret").queryParam("label", theirLabel).get("/api/v1/search").then()
                .statusCode(400).body("detail", containsString("label"));
        // a cursor from another workspace's search only says where to continue, it opens nothing
        String cursor = new MessageSearch.Cursor(Instant.now().plusSeconds(3600), UUID.fromString(mine)).encode();
        api(other).queryParam("q", "secret").queryParam("cursor", cursor).get("/api/v1/search").then()
                .body("hits.snippet", equalTo(List.of("Nothing <mark>secret</mark> here")));
        given().queryParam("q", "secret").get("/api/v1/search").then().statusCode(401);
        given().header("X-Site-Key", shop.siteKey()).queryParam("q", "secret").get("/api/v1/search").then()
                .statusCode(403);
    }

    @Test
    void badParametersAreProblemsNamingThem() {
        for (Map<String, String> bad : List.<Map<String, String>>of(Map.of(), Map.of("q", "  "), Map.of("q", "?!"), Map.of("q", "a b c d e f g h i"),
                Map.of("q", "x", "status", "closed"), Map.of("q", "x", "label", "nope"),
                Map.of("q", "x", "from", "yesterday"), Map.of("q", "x", "cursor", "%%%"),
                Map.of("q", "x", "limit", "0"), Map.of("q", "x", "limit", "51"), Map.of("q", "x".repeat(201)))) {
            api(shop).queryParams(bad).get("/api/v1/search").then().statusCode(400)
                    .contentType("application/problem+json").body("detail", containsString("arameter"));
        }
    }

    /** Which conversations were found, whatever their order. */
    private Set<String> idSet(Map<String, ?> params) {
        return new HashSet<>(ids(params));
    }

    private List<String> ids(Map<String, ?> params) {
        return search(shop, params).getList("hits.conversationId");
    }

    private static JsonPath search(TestWorkspace w, Map<String, ?> params) {
        return api(w).queryParams(params).get("/api/v1/search").then().statusCode(200).extract().jsonPath();
    }

    private static String conversationWith(TestWorkspace w, String message) {
        String id = TestWorkspaces.startWithApiKey(w);
        TestWorkspaces.postAsCustomer(w, id, message);
        return id;
    }

}
