package dev.switchboard.conversation;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A workspace's tag for conversations ("refund", "vip"): a name unique in the workspace and a colour. */
@Entity
@Table(name = "labels")
public class Label extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    public String name;
    /** #rrggbb, lower case. */
    public String colour;
    public Instant createdAt;
}
