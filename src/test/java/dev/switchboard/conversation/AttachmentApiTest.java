package dev.switchboard.conversation;

import static dev.switchboard.support.TestWorkspaces.ADMIN_TOKEN;
import static dev.switchboard.support.TestWorkspaces.startWithSiteKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestFiles;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.TestWorkspaces.WidgetConversation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Attachments through the API: what is accepted (by the bytes), how files are served, and to whom. */
@QuarkusTest
class AttachmentApiTest {

    private static final String PROBLEM = "application/problem+json";

    @BeforeEach
    void setUp() {
        NoBot.install();
        // Mid-minute, so the rate-limit windows of the test do not roll over under it.
        TestClock.install(Instant.parse("2031-05-06T10:15:20Z"));
    }

    @Test
    void theVisitorSendsAnImageThatIsServedInlineWithAThumbnail() throws IOException {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = startWithSiteKey(w);
        byte[] photo = TestFiles.image("jpg", 1200, 800);
        // The name and the Content-Type lie; the bytes decide.
        Map<String, Object> m = upload(c, photo, "parcel.txt", "text/plain").statusCode(201)
                .body("role", equalTo("customer")).body("content", equalTo("parcel.txt.jpg"))
                .body("attachment.contentType", equalTo("image/jpeg"))
                .body("attachment.filename", equalTo("parcel.txt.jpg"))
                .body("attachment.size", equalTo(photo.length))
                .body("attachment.width", equalTo(1200)).body("attachment.height", equalTo(800))
                .extract().jsonPath().getMap("");
        @SuppressWarnings("unchecked")
        Map<String, Object> attachment = (Map<String, Object>) m.get("attachment");

        ExtractableResponse<Response> file = widgetGet(c, (String) attachment.get("url")).statusCode(200)
                .contentType("image/jpeg")
                .header("Content-Disposition", startsWith("inline; filename=\"parcel.txt.jpg\""))
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .header("Content-Security-Policy", containsString("sandbox"))
                .extract();
        assertArrayEquals(photo, file.asByteArray());

        byte[] thumb = widgetGet(c, (String) attachment.get("thumbnailUrl")).statusCode(200)
                .contentType("image/png").extract().asByteArray();
        BufferedImage small = ImageIO.read(new ByteArrayInputStream(thumb));
        assertEquals(240, small.getWidth());
        assertEquals(160, small.getHeight());

        // The message list and the API key see the same message with its attachment.
        given().header("Authorization", w.bearer()).get("/api/v1/conversations/{id}/messages", c.id()).then()
                .statusCode(200).body("items", hasSize(1))
                .body("items[0].attachment.id", equalTo(attachment.get("id")));
        given().header("Authorization", w.bearer()).get((String) attachment.get("url")).then().statusCode(200);
    }

    @Test
    void anHtmlFileNamedPngAndAnSvgAreRefusedByTheirBytes() {
        WidgetConversation c = startWithSiteKey(TestWorkspaces.create());
        upload(c, TestFiles.html(), "photo.png", "image/png").statusCode(415).contentType(PROBLEM)
                .body("detail", containsString("not a PNG, JPEG, GIF or WebP image or a PDF"));
        upload(c, TestFiles.svg(), "logo.svg", "image/svg+xml").statusCode(415).contentType(PROBLEM);
        upload(c, new byte[0], "empty.png", "image/png").statusCode(400).contentType(PROBLEM);
        // A PNG signature on a body that is no PNG: not an image the server can vouch for.
        byte[] fake = new byte[64];
        System.arraycopy(TestFiles.image("png", 4, 4), 0, fake, 0, 8);
        upload(c, fake, "fake.png", "image/png").statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("cannot be read"));
        given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .get("/api/v1/conversations/{id}/messages", c.id()).then().body("items", hasSize(0));
    }

    @Test
    void anImageClaimingTooManyPixelsIsRefusedUndecoded() {
        WidgetConversation c = startWithSiteKey(TestWorkspaces.create());
        byte[] bomb = TestFiles.pngClaiming(50_000, 50_000);
        assertTrue(bomb.length < 1000, "the bomb is small: " + bomb.length);
        upload(c, bomb, "bomb.png", "image/png").statusCode(400).contentType(PROBLEM)
                .body("detail", equalTo("The image is 50000 x 50000 pixels; at most 40000000 pixels are accepted"));
        upload(c, TestFiles.webp(16_000, 3_000), "huge.webp", "image/webp").statusCode(400)
                .body("detail", containsString("16000 x 3000"));
        // A WebP within bounds is kept without a thumbnail (the JDK cannot decode it): shown as itself.
        upload(c, TestFiles.webp(640, 480), "ok.webp", "image/webp").statusCode(201)
                .body("attachment.contentType", equalTo("image/webp")).body("attachment.width", equalTo(640))
                .body("attachment.thumbnailUrl", nullValue());
    }

    @Test
    void anOversizedFileIsA413ProblemBeforeItIsRead() {
        WidgetConversation c = startWithSiteKey(TestWorkspaces.create());
        byte[] big = new byte[1024 * 1024 + 1]; // the test profile's limit is 1M
        System.arraycopy(TestFiles.pdf(), 0, big, 0, TestFiles.pdf().length);
        upload(c, big, "big.pdf", "application/pdf").statusCode(413).contentType(PROBLEM)
                .body("status", equalTo(413)).body("detail", containsString("at most 1048576"));
        byte[] fits = new byte[1024 * 1024];
        System.arraycopy(TestFiles.pdf(), 0, fits, 0, TestFiles.pdf().length);
        upload(c, fits, "fits.pdf", "application/pdf").statusCode(201);
        // Every other endpoint keeps its 256 KiB limit.
        given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON).body(Map.of("content", "x".repeat(300 * 1024)))
                .post("/api/v1/conversations/{id}/messages", c.id()).then().statusCode(413);
    }

    @Test
    void aPdfIsADownloadAndFilesAreServedOnlyToTheConversationsParticipants() {
        TestWorkspace w = TestWorkspaces.create();
        WidgetConversation c = startWithSiteKey(w);
        String url = upload(c, TestFiles.pdf(), "../../etc/invoice\".html", "text/html").statusCode(201)
                .body("attachment.contentType", equalTo("application/pdf"))
                .body("attachment.filename", equalTo("invoice.html.pdf"))
                .body("attachment.thumbnailUrl", nullValue())
                .extract().path("attachment.url");
        widgetGet(c, url).statusCode(200).contentType("application/pdf")
                .header("Content-Disposition", startsWith("attachment; filename=\"invoice.html.pdf\""));

        WidgetConversation other = startWithSiteKey(w);
        given().queryParam("site_key", w.siteKey()).queryParam("visitor_token", other.visitorToken()).get(url)
                .then().statusCode(404).contentType(PROBLEM);
        given().queryParam("site_key", w.siteKey()).get(url).then().statusCode(401);
        TestWorkspace stranger = TestWorkspaces.create();
        given().header("Authorization", stranger.bearer()).get(url).then().statusCode(404);
        // The other visitor cannot post into this conversation either.
        given().header("X-Site-Key", w.siteKey()).header("X-Visitor-Token", other.visitorToken())
                .contentType("application/octet-stream").body(TestFiles.pdf())
                .post("/api/v1/conversations/{id}/attachments", c.id()).then().statusCode(404);
        // Another conversation's id with this attachment's id: still 404.
        String elsewhere = url.replace(c.id(), other.id());
        given().queryParam("site_key", w.siteKey()).queryParam("visitor_token", other.visitorToken()).get(elsewhere)
                .then().statusCode(404);
    }

    @Test
    void uploadsCountAgainstTheWidgetsMessageLimit() {
        TestWorkspace w = TestWorkspaces.create();
        given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("messagesPerIpMinute", 2)).put("/api/v1/workspaces/{id}/policy", w.id())
                .then().statusCode(200);
        WidgetConversation c = startWithSiteKey(w);
        given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(ContentType.JSON).body(Map.of("content", "Look at this"))
                .post("/api/v1/conversations/{id}/messages", c.id()).then().statusCode(201);
        upload(c, TestFiles.image("png", 20, 20), "a.png", "image/png").statusCode(201);
        upload(c, TestFiles.image("gif", 20, 20), "b.gif", "image/gif").statusCode(429).contentType(PROBLEM)
                .header("Retry-After", notNullValue());
    }

    @Test
    void exportHoldsTheFilesAndErasureRemovesThem() {
        TestWorkspace w = TestWorkspaces.create();
        String visitor = "customer-" + java.util.UUID.randomUUID();
        String id = given().header("Authorization", w.bearer()).contentType(ContentType.JSON)
                .body(Map.of("visitorId", visitor)).post("/api/v1/conversations").then().statusCode(201)
                .extract().path("id");
        byte[] png = TestFiles.image("png", 30, 30);
        String url = given().header("Authorization", w.bearer()).contentType("image/png").body(png)
                .post("/api/v1/conversations/{id}/attachments?filename=scan.png", id).then().statusCode(201)
                .extract().path("attachment.url");

        List<Map<String, Object>> files = given().header("Authorization", w.bearer())
                .get("/api/v1/visitors/{v}/export", visitor).then().statusCode(200)
                .body("conversations[0].messages[0].attachment.filename", equalTo("scan.png"))
                .extract().jsonPath().getList("conversations[0].attachments");
        assertEquals(1, files.size());
        assertArrayEquals(png, Base64.getDecoder().decode((String) files.getFirst().get("data")));

        given().header("Authorization", w.bearer()).delete("/api/v1/visitors/{v}", visitor).then().statusCode(200)
                .body("attachments", equalTo(1));
        given().header("Authorization", w.bearer()).get(url).then().statusCode(404);
    }

    private static ValidatableResponse upload(WidgetConversation c, byte[] body, String filename, String type) {
        return given().header("X-Site-Key", c.siteKey()).header("X-Visitor-Token", c.visitorToken())
                .contentType(type).body(body).queryParam("filename", filename)
                .post("/api/v1/conversations/{id}/attachments", c.id()).then();
    }

    /** As an img element or a link in the widget fetches it: site key and visitor token in the query. */
    private static ValidatableResponse widgetGet(WidgetConversation c, String url) {
        return given().queryParam("site_key", c.siteKey()).queryParam("visitor_token", c.visitorToken()).get(url)
                .then();
    }
}
