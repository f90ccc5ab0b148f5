package dev.switchboard.protection;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** A workspace's overrides of the default limits, and its retention period; null fields mean the default. */
@Entity
@Table(name = "workspace_policies")
public class WorkspacePolicy extends PanacheEntityBase {

    @Id
    public UUID workspaceId;
    public Integer conversationsPerIpHour;
    public Integer messagesPerIpMinute;
    public Integer conversationsPerSiteHour;
    public Integer messagesPerSiteMinute;
    public Integer apiRequestsPerKeyMinute;
    /** Resolved conversations idle longer than this many days are deleted; null keeps them. */
    public Integer retentionDays;
}
