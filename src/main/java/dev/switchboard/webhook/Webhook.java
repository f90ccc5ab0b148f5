package dev.switchboard.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A workspace's subscription: where to POST which events, and the signing secret (sealed by SecretBox). */
@Entity
@Table(name = "webhooks")
public class Webhook extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    public String url;
    public String[] events;
    public String secretEncrypted;
    public Instant createdAt;
}
