package dev.switchboard.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.support.Await;
import dev.switchboard.support.NoBot;
import dev.switchboard.support.TestWorkspaces;
import dev.switchboard.support.TestWorkspaces.TestWorkspace;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 20 part 4: e-mail notifications through Quarkus Mailer to a real SMTP server (GreenMail) on the loopback:
 * who hears of a handoff (the assignee, else the team, else the workspace) and of a customer's reply.
 */
@QuarkusTest
@TestProfile(NotificationMailTest.MailOn.class)
class NotificationMailTest {

    /** The SMTP port, chosen once per JVM: the profile (read by Quarkus) and the test share it. */
    static int smtpPort() {
        synchronized (System.class) {
            String port = System.getProperty("notification-mail-test.smtp-port");
            if (port == null) {
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = Integer.toString(s.getLocalPort());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                System.setProperty("notification-mail-test.smtp-port", port);
            }
            return Integer.parseInt(port);
        }
    }

    public static class MailOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("switchboard.notifications.email-enabled", "true",
                    "switchboard.notifications.dashboard-url", "https://support.example/",
                    "quarkus.mailer.mock", "false", "quarkus.mailer.host", "127.0.0.1",
                    "quarkus.mailer.port", Integer.toString(smtpPort()), "quarkus.mailer.from", "switchboard@localhost",
                    "quarkus.mailer.start-tls", "DISABLED",
                    // A send that stalls (seen in bursts) is retried well within the tests' wait.
                    "switchboard.notifications.send-timeout", "3s");
        }
    }

    @RegisterExtension
    // One server for the class: restarting it per test dropped the first mail of the next test (the send met a
    // socket closing under it). Tests tell their mails apart by conversation.
    static final GreenMailExtension SMTP = new GreenMailExtension(new ServerSetup(smtpPort(), "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    @Inject
    AgentService agents;

    @Inject
    ConversationService conversations;

    @BeforeEach
    void agentsPlayTheBot() {
        NoBot.install();
    }

    @Test
    void aBurstOfHandoffsIsMailedWhole() {
        TestWorkspace w = TestWorkspaces.create();
        agent(w);
        List<String> ids = IntStream.range(0, 40).mapToObj(i -> TestWorkspaces.startWithApiKey(w)).toList();
        ids.parallelStream().forEach(id -> conversations.handoff(UUID.fromString(id), HandoffReason.MISSING_KNOWLEDGE,
                "A person will answer."));
        ids.forEach(id -> awaitMails(id, 1));
    }

    @Test
    void aHandoffIsMailedToItsAssigneeOnly() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String adaEmail = "ada-" + UUID.randomUUID() + "@example.com";
        agents.create(adaEmail, "Ada", AgentLogin.PASSWORD, AgentRole.AGENT, List.of(UUID.fromString(w.id())));
        agent(w); // a colleague who is not online
        AgentLogin ada = AgentLogin.login(adaEmail, AgentLogin.PASSWORD);
        ada.request().header("X-CSRF-Token", ada.csrf()).post("/agent/presence").then().statusCode(204);

        String id = TestWorkspaces.startWithApiKey(w);
        TestWorkspaces.postAsCustomer(w, id, "My parcel arrived broken.\nWhat now?");
        conversations.handoff(UUID.fromString(id), HandoffReason.CUSTOMER_REQUEST, "A person will answer.");

        MimeMessage mail = awaitMails(id, 1).getFirst();
        assertEquals(Set.of(adaEmail), recipients(mail));
        assertTrue(mail.getSubject().startsWith("Needs a person: "), mail.getSubject());
        assertTrue(mail.getSubject().contains("customer request"), mail.getSubject());
        String body = GreenMailUtil.getBody(mail);
        assertTrue(body.contains("> My parcel arrived broken."), body);
        assertTrue(body.contains("https://support.example/agent/conversations/" + id), body);
    }

    @Test
    void anUnassignedHandoffIsMailedToTheTeamElseTheWholeWorkspace() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String ada = agent(w);
        String bob = agent(w);
        UUID bobId = agents.findByEmail(bob).orElseThrow().id;
        String team = io.restassured.RestAssured.given().header("Authorization", w.bearer())
                .contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("name", "Returns", "memberIds", List.of(bobId))).post("/api/v1/teams")
                .then().statusCode(201).extract().path("id");

        String forTeam = TestWorkspaces.startWithApiKey(w);
        io.restassured.RestAssured.given().header("Authorization", w.bearer())
                .contentType(io.restassured.http.ContentType.JSON).body(Map.of("teamId", team))
                .put("/api/v1/conversations/{id}/assignment", forTeam).then().statusCode(200);
        conversations.handoff(UUID.fromString(forTeam), HandoffReason.MISSING_KNOWLEDGE, "A person will answer.");
        assertEquals(Set.of(bob), recipients(awaitMails(forTeam, 1).getFirst()), "nobody online: the team's members");

        String forAll = TestWorkspaces.startWithApiKey(w);
        conversations.handoff(UUID.fromString(forAll), HandoffReason.MISSING_KNOWLEDGE, "A person will answer.");
        List<MimeMessage> mails = awaitMails(forAll, 2);
        assertEquals(Set.of(ada, bob), mails.stream().flatMap(m -> recipients(m).stream())
                .collect(Collectors.toSet()), "no team either: every agent of the workspace");
        assertTrue(GreenMailUtil.getBody(mails.get(1)).contains("not assigned to anyone yet"));
    }

    @Test
    void aCustomersReplyIsMailedToTheAssigneeOncePerTurn() throws Exception {
        TestWorkspace w = TestWorkspaces.create();
        String ada = agent(w);
        UUID adaId = agents.findByEmail(ada).orElseThrow().id;
        String id = TestWorkspaces.startWithApiKey(w);
        conversations.agentReply(UUID.fromString(id), adaId, "Ada", "Hello, how can I help?");
        io.restassured.RestAssured.given().header("Authorization", w.bearer())
                .contentType(io.restassured.http.ContentType.JSON).body(Map.of("agentId", adaId))
                .put("/api/v1/conversations/{id}/assignment", id).then().statusCode(200);

        TestWorkspaces.postAsCustomer(w, id, "The order number is 1234.");
        TestWorkspaces.postAsCustomer(w, id, "And it was a gift.");
        MimeMessage mail = awaitMails(id, 1).getFirst();
        assertEquals(Set.of(ada), recipients(mail));
        assertTrue(mail.getSubject().startsWith("New message from "), mail.getSubject());
        assertTrue(GreenMailUtil.getBody(mail).contains("The order number is 1234."));

        conversations.agentReply(UUID.fromString(id), adaId, "Ada", "Thanks, checking.");
        TestWorkspaces.postAsCustomer(w, id, "Any news?");
        awaitMails(id, 2);
        Thread.sleep(500);
        assertEquals(2, mailsAbout(id).size(), "one mail per customer turn, not per message");
    }

    private String agent(TestWorkspace w) {
        String email = "agent-" + UUID.randomUUID() + "@example.com";
        agents.create(email, "Agent", AgentLogin.PASSWORD, AgentRole.AGENT, List.of(UUID.fromString(w.id())));
        return email;
    }

    /**
     * The mails about one conversation (its dashboard link is in the body), once there are {@code count}: other tests'
     * leftover conversations may be handed off while this profile's app runs, and their mails land here too.
     */
    private static List<MimeMessage> awaitMails(String conversationId, int count) {
        try {
            Await.until(count + " mail(s) about conversation " + conversationId,
                    () -> mailsAbout(conversationId).size() >= count);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; received: " + Arrays.stream(SMTP.getReceivedMessages())
                    .map(m -> recipients(m) + " " + text(m).lines().filter(l -> l.startsWith("Open it")).toList())
                    .toList(), e);
        }
        return mailsAbout(conversationId);
    }

    private static List<MimeMessage> mailsAbout(String conversationId) {
        return Arrays.stream(SMTP.getReceivedMessages())
                .filter(m -> text(m).contains("/agent/conversations/" + conversationId)).toList();
    }

    /** The decoded text (the raw body may be quoted-printable, with long lines such as the link broken). */
    private static String text(MimeMessage mail) {
        try {
            return mail.getContent().toString();
        } catch (jakarta.mail.MessagingException | java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> recipients(MimeMessage mail) {
        try {
            return Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).map(Object::toString)
                    .collect(Collectors.toSet());
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError(e);
        }
    }
}
