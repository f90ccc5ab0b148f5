package dev.switchboard.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One event for one webhook: the outbox row written with the change, and its delivery log. The id is the delivery id
 * sent with every attempt; {@code payload} is the exact body, the same on every attempt.
 */
@Entity
@Table(name = "webhook_deliveries")
public class WebhookDelivery extends PanacheEntityBase {

    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String FAILED = "failed";

    @Id
    public UUID id;
    public UUID webhookId;
    public UUID conversationId;
    public String eventType;
    public String payload;
    public String status;
    public int attempts;
    public Instant nextAttemptAt;
    public Instant lastAttemptAt;
    public Integer lastStatusCode;
    public String lastError;
    public Instant createdAt;
}
