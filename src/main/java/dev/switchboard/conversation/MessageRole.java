package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.switchboard.common.Coded;

public enum MessageRole implements Coded {
    CUSTOMER,
    BOT,
    AGENT,
    SYSTEM;

    /** Declared here so that the OpenAPI scanner finds the {@code @JsonValue} method and lists the codes. */
    @Override
    public String code() {
        return Coded.super.code();
    }

    @JsonCreator
    public static MessageRole fromCode(String code) {
        return Coded.fromCode(MessageRole.class, code);
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class DbConverter extends Coded.Converter<MessageRole> {
        public DbConverter() {
            super(MessageRole.class);
        }
    }
}
