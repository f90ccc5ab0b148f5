package dev.switchboard.conversation;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Basic;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A file sent with a message: its bytes in PostgreSQL, typed by what the bytes are. */
@Entity
@Table(name = "attachments")
public class Attachment extends PanacheEntityBase {

    @Id
    public UUID id;
    public UUID conversationId;
    public UUID messageId;
    /** Sniffed from the bytes (see {@link AttachmentType}). */
    public String contentType;
    /** As given, cleaned, with the extension of the sniffed type. */
    public String filename;
    public int sizeBytes;
    public Integer width;
    public Integer height;
    /** Lazy: listing messages must not read every file. */
    @Basic(fetch = FetchType.LAZY)
    public byte[] data;
    @Basic(fetch = FetchType.LAZY)
    public byte[] thumbnail;
    public Instant createdAt;

    public AttachmentType type() {
        return AttachmentType.ofMediaType(contentType).orElseThrow();
    }
}
