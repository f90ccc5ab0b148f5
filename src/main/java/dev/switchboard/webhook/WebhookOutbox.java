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

    /**
     * A common table expression, named deliveries, that does what {@link #record} does inside another statement, so
     * a change and its webhook deliveries take one round trip: for each row of {@code source} (its conversation_id), a
     * pending delivery per webhook of workspace {@code workspace} subscribed to event {@code type}, with body
     * {@code body} (an {@link #envelope}) due at {@code time} (a {@link #deliveryTime}). Each of those is an SQL
     * expression: a parameter, or a column of {@code source}.
     */
    public static String deliveries(String source, String workspace, String type, String body, String time) {
        return """
                deliveries as (
                  insert into webhook_deliveries (id, webhook_id, conversation_id, event_type, payload, status,
                                                  next_attempt_at, created_at)
                  select gen_random_uuid(), webhooks.id, %1$s.conversation_id, %3$s, %4$s, '%6$s', %5$s, %5$s
                    from %1$s, webhooks where webhooks.workspace_id = %2$s and %3$s = any(webhooks.events))
                """.formatted(source, workspace, type, body, time, WebhookDelivery.PENDING);
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
