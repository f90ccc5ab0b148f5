package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.switchboard.common.Coded;

/** bot (the bot answers) → pending (waiting for a human) → open (a human answers) → resolved. */
public enum ConversationStatus implements Coded {
    BOT("bot"),
    PENDING("pending"),
    OPEN("open"),
    RESOLVED("resolved");

    private final String code;

    ConversationStatus(String code) {
        this.code = code;
    }

    @JsonValue
    @Override
    public String code() {
        return code;
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
