package dev.switchboard.conversation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The file types an attachment may be, recognised by their leading bytes (magic numbers) only: the client's
 * Content-Type and the file name are never trusted, and nothing that a browser could run (HTML, SVG, XML) matches.
 */
public enum AttachmentType {
    PNG("image/png", "png"),
    JPEG("image/jpeg", "jpg"),
    GIF("image/gif", "gif"),
    WEBP("image/webp", "webp"),
    PDF("application/pdf", "pdf");

    public final String mediaType;
    public final String extension;

    AttachmentType(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    /** Raster images, shown inline; a PDF is only ever downloaded. */
    public boolean image() {
        return this != PDF;
    }

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** The type the bytes are, or empty when they are none of the accepted ones. */
    public static Optional<AttachmentType> sniff(byte[] data) {
        if (startsWith(data, 0, PNG_MAGIC)) {
            return Optional.of(PNG);
        }
        if (data.length >= 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8 && (data[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        if (startsWith(data, 0, ascii("GIF87a")) || startsWith(data, 0, ascii("GIF89a"))) {
            return Optional.of(GIF);
        }
        if (startsWith(data, 0, ascii("RIFF")) && startsWith(data, 8, ascii("WEBP"))) {
            return Optional.of(WEBP);
        }
        if (startsWith(data, 0, ascii("%PDF-"))) {
            return Optional.of(PDF);
        }
        return Optional.empty();
    }

    public static Optional<AttachmentType> ofMediaType(String mediaType) {
        return Arrays.stream(values()).filter(t -> t.mediaType.equals(mediaType)).findFirst();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        return data.length >= at + prefix.length
                && Arrays.equals(data, at, at + prefix.length, prefix, 0, prefix.length);
    }
}
