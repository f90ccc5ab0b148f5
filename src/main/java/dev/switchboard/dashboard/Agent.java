package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A person who works in the dashboard. */
@Entity
@Table(name = "agents")
public class Agent extends PanacheEntityBase {

    @Id
    public UUID id;
    /** Lower case; the login name. */
    public String email;
    /** Shown to customers on the agent's replies. */
    public String displayName;
    /** bcrypt, Modular Crypt Format. */
    public String passwordHash;
    public AgentRole role;
    public Instant createdAt;

    /** Owners are admins of every workspace besides. */
    public boolean admin() {
        return role == AgentRole.ADMIN || role == AgentRole.OWNER;
    }

    public static Optional<Agent> findByEmail(String email) {
        return find("email", email).firstResultOptional();
    }
}
