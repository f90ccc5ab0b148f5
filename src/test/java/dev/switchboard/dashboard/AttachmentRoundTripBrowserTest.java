package dev.switchboard.dashboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.support.Browser;
import dev.switchboard.support.BrowserTest;
import dev.switchboard.support.HostSite;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestFiles;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import dev.switchboard.support.WidgetPage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * An attachment round trip in two real browsers: the customer sends a photo from the widget on a shop's site, the
 * agent sees its thumbnail in the dashboard and answers with a PDF, and the customer's widget shows the PDF.
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
        }
    }

    /** Whether the image the script puts in {@code i} is there and decoded (a broken image has no natural width). */
    private static boolean loaded(WidgetPage widget, String findImage) {
        return (Boolean) widget.js(findImage + "return !!i && i.complete && i.naturalWidth > 0");
    }
}
