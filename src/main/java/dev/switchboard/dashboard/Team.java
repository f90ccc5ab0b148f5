package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A group of a workspace's agents that conversations can be assigned to (e.g. "Billing"). */
@Entity
@Table(name = "teams")
public class Team extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    public String name;
    public Instant createdAt;
}
