package dev.switchboard.webhook;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Secrets;
import dev.switchboard.common.Times;
import dev.switchboard.common.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class WebhookService {

    static final int MAX_PER_WORKSPACE = 20;
    static final int MAX_LOG = 200;

    /** A webhook and its signing secret in plain text, for the one response that shows it. */
    public record WithSecret(Webhook webhook, String secret) {}

    @Inject
    SecretBox secrets;

    @Inject
    WebhookTargets targets;

    @Inject
    Clock clock;

    @Transactional
    public WithSecret create(UUID workspaceId, String url, List<String> events) {
        if (Webhook.count("workspaceId", workspaceId) >= MAX_PER_WORKSPACE) {
            throw ApiException.badRequest("A workspace has at most " + MAX_PER_WORKSPACE + " webhooks");
        }
        Webhook w = new Webhook();
        w.id = UUID.randomUUID();
        w.workspaceId = workspaceId;
        w.url = targets.validForRegistration(url);
        w.events = validEvents(events);
        w.createdAt = Times.now(clock);
        String secret = Secrets.newToken("whsec_");
        w.secretEncrypted = secrets.encrypt(secret, secretContext(w.id));
        w.persist();
        return new WithSecret(w, secret);
    }

    /** What a webhook's sealed secret is bound to: it opens for that webhook only. */
    static String secretContext(UUID webhookId) {
        return "webhook-secret:" + webhookId;
    }

    public List<Webhook> list(UUID workspaceId) {
        return Webhook.list("workspaceId = ?1 order by createdAt, id", workspaceId);
    }

    public Webhook get(UUID workspaceId, UUID id) {
        return Webhook.<Webhook>findByIdOptional(id).filter(w -> w.workspaceId.equals(workspaceId))
                .orElseThrow(() -> ApiException.notFound("No webhook with id '" + id + "'"));
    }

    /** Deletes the webhook with its delivery log; pending deliveries are not sent any more. */
    @Transactional
    public void delete(UUID workspaceId, UUID id) {
        get(workspaceId, id).delete();
    }

    /** A new secret, effective for every attempt from now on (also retries of earlier events). */
    @Transactional
    public WithSecret rotateSecret(UUID workspaceId, UUID id) {
        Webhook w = get(workspaceId, id);
        String secret = Secrets.newToken("whsec_");
        w.secretEncrypted = secrets.encrypt(secret, secretContext(w.id));
        return new WithSecret(w, secret);
    }

    /** The latest deliveries, newest first. */
    public List<WebhookDelivery> deliveries(UUID workspaceId, UUID id, int limit) {
        get(workspaceId, id);
        if (limit < 1 || limit > MAX_LOG) {
            throw ApiException.badRequest("Parameter 'limit' must be between 1 and " + MAX_LOG);
        }
        return WebhookDelivery.<WebhookDelivery>find("webhookId = ?1 order by createdAt desc, id", id)
                .page(0, limit).list();
    }

    private static String[] validEvents(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw ApiException.badRequest("Field 'events' must list at least one of " + WebhookEvents.ALL);
        }
        for (String e : events) {
            if (!WebhookEvents.ALL.contains(e)) {
                throw ApiException.badRequest("Field 'events' has '" + e + "'; known events: " + WebhookEvents.ALL);
            }
        }
        return events.stream().distinct().toArray(String[]::new);
    }
}
