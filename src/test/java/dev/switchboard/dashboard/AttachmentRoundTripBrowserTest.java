package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.HostSite;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestClock;
import dev.switchboard.support.TestFiles;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WidgetPage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;

/**
 * An attachment round trip in two real browsers: the customer sends a photo from the widget on a shop's site, the
 * agent sees its thumbnail in the dashboard and answers with a PDF, and the customer's widget shows the PDF. And the
 * widget outside business hours.
 */
@BrowserTest
@QuarkusTest
class AttachmentRoundTripBrowserTest {

    @Inject
    AgentService agents;

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path files;

    @Test
    void aPhotoFromTheWidgetReachesTheAgentWhoAnswersWithAPdf() throws IOException {
        NoBot.install();
        Path photo = Files.write(files.resolve("damaged parcel.png"), TestFiles.image("png", 800, 600));
        byte[] pdf = TestFiles.pdf();
        Path invoice = Files.write(files.resolve("invoice.pdf"), pdf);
        try (HostSite shop = HostSite.start(); Browser customerBrowser = Browser.open();
                Browser agentBrowser = Browser.open()) {
            TestWorkspace workspace = TestWorkspaces.create(List.of(shop.origin()));
            String email = "linus-" + UUID.randomUUID() + "@example.com";
            agents.create(email, "Linus", AgentLogin.PASSWORD, AgentRole.AGENT,
                    List.of(UUID.fromString(workspace.id())));

            customerBrowser.driver().get(shop.page(base, workspace.siteKey()));
            WidgetPage widget = new WidgetPage(customerBrowser);
            widget.open();
            widget.shadow().findElement(By.cssSelector("input[type=file]")).sendKeys(photo.toString());
            customerBrowser.await("the photo's thumbnail in the widget", d -> loaded(widget,
                    "const i = " + WidgetPage.ROOT + ".querySelector('.m.customer img');"));
            String conversation = widget.conversationId();

            WebDriver agent = agentBrowser.driver();
            AgentLogin.inBrowser(agentBrowser, base, email);
            agent.get(base.resolve("/agent/conversations/" + conversation).toString());
            agentBrowser.await("the photo's thumbnail in the dashboard", d -> (Boolean) ((JavascriptExecutor) d)
                    .executeScript("const i = document.querySelector('li.role-customer img.thumbnail');"
                            + "return !!i && i.complete && i.naturalWidth === 240 && i.alt === 'damaged parcel.png'"));

            agent.findElement(By.id("attach")).sendKeys(invoice.toString());
            customerBrowser.await("the agent's PDF in the widget, without a reload", d -> widget.log().stream()
                    .anyMatch(m -> m.get(0).equals("m agent") && m.get(1).equals("Linusinvoice.pdf")));
            String href = (String) widget.js("return " + WidgetPage.ROOT + ".querySelector('.m.agent a.f').href");
            Response download = given().get(URI.create(href));
            assertEquals(200, download.statusCode());
            assertEquals("application/pdf", download.contentType());
            assertArrayEquals(pdf, download.asByteArray());
            agentBrowser.await("the PDF in the dashboard too",
                    d -> !d.findElements(By.cssSelector("li.role-agent a.file")).isEmpty());
            agentBrowser.readmePicture("attachment.png");
        }
    }

    @Test
    void outsideBusinessHoursTheWidgetSaysWhenTheTeamIsBackAndTakesAnEmailAddress() {
        NoBot.install();
        // Saturday 2026-06-06, 12:00 UTC; the team works Monday 09:00-17:00 in Tokyo (00:00 UTC).
        TestClock.install(Instant.parse("2026-06-06T12:00:00Z"));
        try (HostSite shop = HostSite.start(); Browser customerBrowser = Browser.open()) {
            TestWorkspace workspace = TestWorkspaces.create(List.of(shop.origin()));
            given().header("Authorization", "Bearer " + TestWorkspaces.ADMIN_TOKEN).contentType(ContentType.JSON)
                    .body(Map.of("timeZone", "Asia/Tokyo", "weekly", Map.of("mon", List.of("09:00-17:00")),
                            "expectedReplyMinutes", 120))
                    .put("/api/v1/workspaces/{id}/hours", workspace.id()).then().statusCode(200);
            customerBrowser.driver().get(shop.page(base, workspace.siteKey(), Map.of("locale", "en")));
            WidgetPage widget = new WidgetPage(customerBrowser);
            widget.open();
            // Formatted by the browser in its own zone, as the visitor reads it.
            String expected = (String) widget.js("return new Intl.DateTimeFormat('en', {weekday: 'long', hour: "
                    + "'numeric', minute: '2-digit'}).format(new Date('2026-06-08T00:00:00Z'))");
            customerBrowser.await("the away notice", d -> widget.text(".o").startsWith(
                    "We’re away right now. We’re back " + expected + "."));
            assertEquals("Typically replies in 2 hours", widget.text(".s"));

            widget.type(".o input", "sam@example.com", Keys.ENTER);
            customerBrowser.await("the thanks", d -> widget.text(".o").equals("Thanks! We’ll reply to sam@example.com."));
            given().header("Authorization", workspace.bearer()).get("/api/v1/conversations/{id}",
                    widget.conversationId()).then().statusCode(200).body("contactEmail", equalTo("sam@example.com"));
        }
    }

    /** Whether the image the script puts in {@code i} is there and decoded (a broken image has no natural width). */
    private static boolean loaded(WidgetPage widget, String findImage) {
        return (Boolean) widget.js(findImage + "return !!i && i.complete && i.naturalWidth > 0");
    }
}
