package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A logged-in browser: the SHA-256 of its cookie, the agent, and the CSRF token its forms carry. */
@Entity
@Table(name = "agent_sessions")
public class AgentSession extends PanacheEntityBase {

    @Id
    public String tokenHash;
    public UUID agentId;
    public String csrfToken;
    public Instant createdAt;
    public Instant lastSeenAt;
}
