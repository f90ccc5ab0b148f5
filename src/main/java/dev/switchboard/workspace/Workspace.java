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
    /**
     * Origins (scheme://host[:port]) the widget may run on, besides Switchboard's own pages; empty: only those (see
     * {@link WorkspaceAuth}).
     */
    public String[] allowedOrigins;
    /** The identity secret sealed by {@link dev.switchboard.common.SecretBox}; null until first read or rotated. */
    public String identitySecretEnc;
    public Instant createdAt;

    public static Optional<Workspace> findBySiteKey(String siteKey) {
        return find("siteKey", siteKey).firstResultOptional();
    }
}
