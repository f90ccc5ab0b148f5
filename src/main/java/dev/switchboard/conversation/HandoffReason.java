package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.switchboard.common.Coded;

/** Why the bot handed a conversation to a human. JSON and the database use the snake_case code. */
public enum HandoffReason implements Coded {
    CUSTOMER_REQUEST,
    MISSING_KNOWLEDGE,
    LOW_CONFIDENCE,
    INFERENCE_UNAVAILABLE,
    POLICY,
    /** Handed off while the workspace's team is out (its business hours): someone replies when they are back. */
    OUTSIDE_BUSINESS_HOURS;

    /** Declared here so that the OpenAPI scanner finds the {@code @JsonValue} method and lists the codes. */
    @Override
    public String code() {
        return Coded.super.code();
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
