package dev.switchboard.workspace;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A tenant: one website with its FAQ, conversations and keys. */
@Entity
@Table(name = "workspaces")
public class Workspace extends PanacheEntityBase {

    @Id
    public UUID id;
    public String name;
    /** Public: embedded in the widget snippet. Grants creating conversations, nothing more by itself. */
    public String siteKey;
    /** Origins (scheme://host[:port]) the widget may run on; empty means any. */
    public String[] allowedOrigins;
    public Instant createdAt;

    public static Optional<Workspace> findBySiteKey(String siteKey) {
        return find("siteKey", siteKey).firstResultOptional();
    }
}
