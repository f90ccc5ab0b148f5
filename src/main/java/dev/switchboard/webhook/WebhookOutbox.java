package dev.switchboard.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Writes webhook events into the outbox inside the caller's transaction: they commit with the change they describe
 * or not at all, so a crash after the commit loses no event (the dispatcher sends them later), and a rolled-back
 * change sends none.
 */
@ApplicationScoped
public class WebhookOutbox {

    /** The JSON body every delivery of an event carries. */
    record Envelope(UUID id, String type, Instant createdAt, UUID workspaceId, Object data) {}

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    /** When a delivery recorded now is created and first due (the database keeps microseconds). */
    public Instant deliveryTime() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The body every delivery of one event carries. */
    public String envelope(UUID workspaceId, String type, Object data, Instant now) {
        try {
            return json.writeValueAsString(new Envelope(UUID.randomUUID(), type, now, workspaceId, data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook payload not serialisable: " + data, e);
        }
    }

    /** @param conversationId the conversation the event is about: erasing it erases the event's deliveries */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(UUID workspaceId, UUID conversationId, String type, Object data) {
        @SuppressWarnings("unchecked")
        List<Webhook> subscribed = Webhook.getEntityManager()
                .createNativeQuery("select * from webhooks where workspace_id = ?1 and ?2 = any(events)", Webhook.class)
                .setParameter(1, workspaceId).setParameter(2, type).getResultList();
        if (subscribed.isEmpty()) {
            return;
        }
        Instant now = deliveryTime();
        String body = envelope(workspaceId, type, data, now);
        for (Webhook webhook : subscribed) {
            WebhookDelivery d = new WebhookDelivery();
            d.id = UUID.randomUUID();
            d.webhookId = webhook.id;
            d.conversationId = conversationId;
            d.eventType = type;
            d.payload = body;
            d.status = WebhookDelivery.PENDING;
            d.nextAttemptAt = now;
            d.createdAt = now;
            d.persist();
        }
    }
}
