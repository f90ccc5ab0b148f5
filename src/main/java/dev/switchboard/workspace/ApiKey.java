package dev.switchboard.workspace;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A workspace's server-side credential. Only the SHA-256 of the key is stored; the key is shown once. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID workspaceId;
    public String keyHash;
    public Instant createdAt;
    /** Set when the key was rotated away; such keys authenticate nothing. */
    public Instant revokedAt;

    public static Optional<ApiKey> findActiveByHash(String keyHash) {
        return find("keyHash = ?1 and revokedAt is null", keyHash).firstResultOptional();
    }
}
