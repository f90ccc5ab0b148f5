package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.switchboard.common.Coded;

/** bot (the bot answers) → pending (waiting for a human) → open (a human answers) → resolved. */
public enum ConversationStatus implements Coded {
    BOT,
    PENDING,
    OPEN,
    RESOLVED;

    /** Declared here so that the OpenAPI scanner finds the {@code @JsonValue} method and lists the codes. */
    @Override
    public String code() {
        return Coded.super.code();
    }

    @JsonCreator
    public static ConversationStatus fromCode(String code) {
        return Coded.fromCode(ConversationStatus.class, code);
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class DbConverter extends Coded.Converter<ConversationStatus> {
        public DbConverter() {
            super(ConversationStatus.class);
        }
    }
}
