package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.UUID;

/**
 * Where a bot answer came from: an FAQ entry ({@code {"type":"faq","faqId":...}}) or a model
 * ({@code {"type":"model","model":...}}). Messages of other roles have no source.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageSource(String type, UUID faqId, String model) {

    public static final String FAQ = "faq";
    public static final String MODEL = "model";

    /**
     * Bot replies written by no model, recorded like a model's (messages store an FAQ entry or a model name): the
     * workspace's small-talk lines, and the offer of FAQ entries to pick from. Statistics of model answers leave
     * them out.
     */
    public static final MessageSource SMALL_TALK = model("small-talk");
    public static final MessageSource FAQ_OFFER = model("faq-offer");

    /** {@link #SMALL_TALK} and {@link #FAQ_OFFER} as an SQL list of literals, for the statistics' queries. */
    static final String NO_MODEL_SQL = "('" + SMALL_TALK.model() + "', '" + FAQ_OFFER.model() + "')";

    public MessageSource {
        Objects.requireNonNull(type, "type");
        boolean valid = switch (type) {
            case FAQ -> faqId != null && model == null;
            case MODEL -> model != null && !model.isBlank() && faqId == null;
            default -> false;
        };
        if (!valid) {
            throw new IllegalArgumentException("invalid message source: type=" + type + " faqId=" + faqId
                    + " model=" + model);
        }
    }

    public static MessageSource faq(UUID faqId) {
        return new MessageSource(FAQ, faqId, null);
    }

    public static MessageSource model(String name) {
        return new MessageSource(MODEL, null, name);
    }
}
