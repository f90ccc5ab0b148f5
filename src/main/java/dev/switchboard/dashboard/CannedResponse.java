package dev.switchboard.dashboard;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A reply agents of a workspace reuse ("Thanks, I'm looking into it"). */
@Entity
@Table(name = "canned_responses")
public class CannedResponse extends PanacheEntityBase {
    @Id
    public UUID id;
    public UUID workspaceId;
    public String title;
    public String content;
    public Instant createdAt;
}
