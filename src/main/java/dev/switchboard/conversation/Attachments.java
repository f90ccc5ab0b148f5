package dev.switchboard.conversation;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Attachments: checking a file before it is stored (size, type by its bytes, image dimensions, thumbnail), and
 * reading files back for the conversation's participants. Stored only with a message, by {@link ConversationService}.
 */
@ApplicationScoped
public class Attachments {

    static final int MAX_FILENAME = 150;

    /** A file that passed every check, ready to be stored with its message. */
    public record NewAttachment(AttachmentType type, String filename, byte[] data, Integer width, Integer height,
            byte[] thumbnail) {}

    /** A stored file's bytes, as served. */
    public record File(AttachmentType type, String filename, byte[] bytes) {

        /**
         * The file as a response: images inline (only ever the sniffed raster types), PDFs as a download; the
         * browser may not guess another type, and a CSP that allows nothing keeps a file opened directly inert.
         */
        public Response response() {
            String ascii = filename.replaceAll("[^\\x20-\\x7e]", "_");
            String encoded = URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
            return Response.ok(bytes, type.mediaType)
                    .header("Content-Disposition", (type.image() ? "inline" : "attachment") + "; filename=\""
                            + ascii + "\"; filename*=UTF-8''" + encoded)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", "default-src 'none'; sandbox")
                    .header("Cache-Control", "private, max-age=300")
                    .build();
        }
    }

    @Inject
    AttachmentConfig config;

    @Inject
    Clock clock;

    /**
     * Checks a file: 413 when larger than allowed, 415 when its bytes are no accepted type (whatever its name says),
     * 400 when an image is unreadable or has too many pixels.
     */
    public NewAttachment prepare(byte[] data, String filename) {
        if (data == null || data.length == 0) {
            throw ApiException.badRequest("The request body is empty: send the file's bytes");
        }
        long max = config.maxSize().asLongValue();
        if (data.length > max) {
            throw tooLarge(data.length, max);
        }
        AttachmentType type = AttachmentType.sniff(data).orElseThrow(() -> new ApiException(415,
                "Unsupported Media Type", "The file is not a PNG, JPEG, GIF or WebP image or a PDF (judged by its "
                        + "bytes, not by its name or Content-Type)"));
        String name = cleanName(filename, type);
        if (!type.image()) {
            return new NewAttachment(type, name, data, null, null, null);
        }
        ImageInspector.Inspected image = ImageInspector.inspect(data, type, config.maxImagePixels());
        return new NewAttachment(type, name, data, image.width(), image.height(), image.thumbnail());
    }

    static ApiException tooLarge(long size, long max) {
        return new ApiException(413, "Content Too Large", "The file has " + size + " bytes; at most " + max
                + " are accepted");
    }

    /**
     * The name as given without any path, control characters or quotes, and ending in the sniffed type's extension,
     * so a download never opens as another type (a PDF named page.html stays a PDF: page.html.pdf).
     */
    static String cleanName(String given, AttachmentType type) {
        String name = given == null ? "" : given;
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[\\p{Cntrl}\"\\\\;]", "").strip();
        if (name.length() > MAX_FILENAME) {
            name = name.substring(0, MAX_FILENAME).strip();
        }
        if (name.isEmpty() || name.startsWith(".")) {
            name = "attachment" + name;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean matches = lower.endsWith("." + type.extension) || (type == AttachmentType.JPEG
                && lower.endsWith(".jpeg"));
        return matches ? name : name + "." + type.extension;
    }

    /** Stores the file of a message just persisted (in the caller's transaction). */
    AttachmentView store(Message m, NewAttachment file) {
        Attachment a = new Attachment();
        a.id = UUID.randomUUID();
        a.conversationId = m.conversationId;
        a.messageId = m.id;
        a.contentType = file.type().mediaType;
        a.filename = file.filename();
        a.sizeBytes = file.data().length;
        a.width = file.width();
        a.height = file.height();
        a.data = file.data();
        a.thumbnail = file.thumbnail();
        a.createdAt = Times.now(clock);
        a.persist();
        return AttachmentView.of(a, file.thumbnail() != null);
    }

    /** The messages as the API shows them, each with its attachment (read in one query, without the bytes). */
    @Transactional
    public List<MessageView> views(UUID conversationId, List<Message> messages) {
        Map<UUID, AttachmentView> byMessage = new HashMap<>();
        Attachment.getEntityManager().createQuery("select a, case when a.thumbnail is null then false else true end"
                        + " from Attachment a where a.conversationId = ?1", Object[].class)
                .setParameter(1, conversationId).getResultList()
                .forEach(r -> byMessage.put(((Attachment) r[0]).messageId,
                        AttachmentView.of((Attachment) r[0], (Boolean) r[1])));
        return messages.stream().map(m -> MessageView.of(m, byMessage.get(m.id))).toList();
    }

    /**
     * The file of an attachment of this conversation, or its thumbnail (a PNG; empty when it has none); the caller
     * checked access to the conversation.
     */
    @Transactional
    public Optional<File> file(UUID conversationId, UUID attachmentId, boolean thumbnail) {
        return Attachment.<Attachment>findByIdOptional(attachmentId)
                .filter(a -> a.conversationId.equals(conversationId))
                .filter(a -> !thumbnail || a.thumbnail != null)
                .map(a -> thumbnail ? new File(AttachmentType.PNG, "thumbnail.png", a.thumbnail)
                        : new File(a.type(), a.filename, a.data));
    }
}
