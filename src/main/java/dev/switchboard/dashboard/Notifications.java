package dev.switchboard.dashboard;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.ConversationSignals;
import dev.switchboard.conversation.MessageRole;
import dev.switchboard.conversation.VisitorNames;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.ext.mail.SMTPException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * E-mail to agents (Quarkus Mailer, off unless {@code switchboard.notifications.email-enabled}): when a conversation
 * needs a person, to its assignee, else its team's members, else every agent of the workspace; when the customer of an
 * assigned conversation writes again, to the assignee (else the team). Sent after the commit, without waiting: a slow
 * mail server never holds up the bot or the customer. A transient failure is retried a few times; a permanent one
 * (5xx) is logged.
 */
@ApplicationScoped
public class Notifications {

    private static final Logger LOG = Logger.getLogger(Notifications.class);
    static final int QUOTE = 500;
    /** Retries of a transient failure (421 busy, a dropped connection, a timeout), 1 s to 30 s apart. */
    private static final int RETRIES = 5;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    @Inject
    ReactiveMailer mailer;

    @Inject
    NotificationConfig config;

    @Inject
    ConversationService conversations;

    @Inject
    Teams teams;

    @Inject
    AgentService agents;

    /** Called by {@link Assignments} after a handoff was auto-assigned (or not). */
    void humanNeeded(UUID conversationId) {
        if (!config.emailEnabled()) {
            return;
        }
        QuarkusTransaction.requiringNew().run(() -> conversations.findConversation(conversationId).ifPresent(c -> {
            String reason = c.handoffReason == null ? "handoff" : c.handoffReason.code().replace('_', ' ');
            send(recipients(c, true), "Needs a person: " + visitor(c) + " (" + reason + ")",
                    "A conversation with " + visitor(c) + " was handed off by the bot (" + reason + ")"
                            + assignedLine(c) + ".\n\n" + lastCustomerMessage(c) + link(c));
        }));
    }

    void onCustomerReplied(@Observes(during = TransactionPhase.AFTER_SUCCESS) ConversationSignals.CustomerReplied signal) {
        if (!config.emailEnabled()) {
            return;
        }
        try {
            QuarkusTransaction.requiringNew().run(() -> conversations.findConversation(signal.conversationId())
                    .ifPresent(c -> send(recipients(c, false), "New message from " + visitor(c),
                            visitor(c) + " wrote again in a conversation assigned to you" + assignedLine(c) + ".\n\n"
                                    + lastCustomerMessage(c) + link(c))));
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not notify the assignee of conversation %s", signal.conversationId());
        }
    }

    /** The assignee's address, else the team members', else (if {@code orWorkspace}) every workspace agent's. */
    private Set<String> recipients(Conversation c, boolean orWorkspace) {
        List<UUID> ids = c.assigneeAgentId != null ? List.of(c.assigneeAgentId)
                : c.assigneeTeamId != null ? teams.memberIds(c.assigneeTeamId)
                : orWorkspace ? AgentMembership.<AgentMembership>list("workspaceId", c.workspaceId).stream()
                        .map(m -> m.agentId).toList()
                : List.of();
        Set<String> to = new LinkedHashSet<>();
        ids.forEach(id -> agents.find(id).ifPresent(a -> to.add(a.email)));
        return to;
    }

    private void send(Set<String> to, String subject, String text) {
        // Names and messages come from customers: no line breaks in a header.
        String safeSubject = subject.replaceAll("[\\r\\n\\t]+", " ");
        // One send per address: a retry after a transient failure repeats only the mail that failed.
        for (String address : to) {
            mailer.send(Mail.withText(address, safeSubject, text))
                    // The mail client has no timeout of its own: a server that stops answering must not hold a
                    // connection (and the mails queued behind it) for ever.
                    .ifNoItem().after(config.sendTimeout()).fail()
                    .onFailure(Notifications::transientFailure).retry()
                    .withBackOff(FIRST_RETRY, LAST_RETRY).atMost(RETRIES)
                    .subscribe().with(
                            ok -> LOG.debugf("Notified an agent: %s", safeSubject),
                            failure -> LOG.warnf("Could not e-mail an agent about \"%s\": %s", safeSubject,
                                    failure.toString()));
        }
    }

    /** Worth another try: anything but the server's permanent refusal (5xx) of this mail. */
    static boolean transientFailure(Throwable failure) {
        return !(failure instanceof SMTPException smtp && smtp.isPermanent());
    }

    private static String visitor(Conversation c) {
        return VisitorNames.of(c.visitorId, c.visitorName);
    }

    private static String assignedLine(Conversation c) {
        return c.assigneeAgentId != null || c.assigneeTeamId != null ? "" : "; it is not assigned to anyone yet";
    }

    private String lastCustomerMessage(Conversation c) {
        return conversations.recentMessages(c.id, 10).reversed().stream().filter(m -> m.role == MessageRole.CUSTOMER)
                .findFirst().map(m -> "The customer wrote:\n> " + quote(m.content) + "\n\n").orElse("");
    }

    private static String quote(String content) {
        String text = VisitorNames.withoutBidiControls(content).strip();
        text = text.length() <= QUOTE ? text : text.substring(0, QUOTE - 1) + "…";
        return text.replace("\n", "\n> ");
    }

    private String link(Conversation c) {
        return "Open it: " + config.dashboardUrl().replaceAll("/+$", "") + "/agent/conversations/" + c.id + "\n";
    }
}
