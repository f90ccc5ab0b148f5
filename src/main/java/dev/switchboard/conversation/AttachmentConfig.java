package dev.switchboard.conversation;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits on attachments (see docs/configuration.md). */
@ConfigMapping(prefix = "switchboard.attachments")
public interface AttachmentConfig {

    /** The largest file accepted; quarkus.http.limits.max-body-size must be at least this. */
    @WithDefault("5M")
    MemorySize maxSize();

    /** The most pixels an image may have (checked in its header before decoding: guards decompression bombs). */
    @WithDefault("40000000")
    long maxImagePixels();
}
