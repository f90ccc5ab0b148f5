package dev.switchboard.workspace;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A workspace's stored business hours (see {@link BusinessHours}); a workspace without one is always open. */
@Entity
@Table(name = "business_hours")
class WorkspaceHours extends PanacheEntityBase {

    @Id
    public UUID workspaceId;
    public String timeZone;
    /** "mon 09:00-17:00" entries. */
    public String[] weekly;
    /** ISO dates. */
    public String[] holidays;
    public Integer expectedReplyMinutes;
    public Instant updatedAt;
}
