package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** When the agent's dashboard last said it is open, and when auto-assignment last chose the agent. */
@Entity
@Table(name = "agent_presence")
public class AgentPresence extends PanacheEntityBase {

    @Id
    public UUID agentId;
    public Instant lastSeenAt;
    public Instant lastAssignedAt;
}
