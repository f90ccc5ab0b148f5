package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.switchboard.common.Coded;

/** Why the bot handed a conversation to a human. JSON and the database use the snake_case code. */
public enum HandoffReason implements Coded {
    CUSTOMER_REQUEST("customer_request"),
    MISSING_KNOWLEDGE("missing_knowledge"),
    LOW_CONFIDENCE("low_confidence"),
    INFERENCE_UNAVAILABLE("inference_unavailable"),
    POLICY("policy");

    private final String code;

    HandoffReason(String code) {
        this.code = code;
    }

    @JsonValue
    @Override
    public String code() {
        return code;
    }

    @JsonCreator
    public static HandoffReason fromCode(String code) {
        return Coded.fromCode(HandoffReason.class, code);
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class DbConverter extends Coded.Converter<HandoffReason> {
        public DbConverter() {
            super(HandoffReason.class);
        }
    }
}
