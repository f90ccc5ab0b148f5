package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.UUID;

/**
 * An attachment as messages show it. {@code url} and {@code thumbnailUrl} (null when there is none) are API paths:
 * the widget adds its site key and visitor token, an API client its key; the dashboard has its own.
 */
public record AttachmentView(UUID id, String filename, String contentType, int size, Integer width, Integer height,
        String url, String thumbnailUrl) {

    /** A raster image (shown inline); otherwise a PDF (a download). */
    @JsonIgnore
    public boolean image() {
        return contentType.startsWith("image/");
    }

    static AttachmentView of(Attachment a, boolean hasThumbnail) {
        String url = "/api/v1/conversations/" + a.conversationId + "/attachments/" + a.id;
        return new AttachmentView(a.id, a.filename, a.contentType, a.sizeBytes, a.width, a.height, url,
                hasThumbnail ? url + "/thumbnail" : null);
    }
}
