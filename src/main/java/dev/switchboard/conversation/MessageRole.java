package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.switchboard.common.Coded;

public enum MessageRole implements Coded {
    CUSTOMER("customer"),
    BOT("bot"),
    AGENT("agent"),
    SYSTEM("system");

    private final String code;

    MessageRole(String code) {
        this.code = code;
    }

    @JsonValue
    @Override
    public String code() {
        return code;
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
