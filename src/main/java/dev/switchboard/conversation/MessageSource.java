package dev.switchboard.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.UUID;

/**
 * Where a bot message came from: an FAQ entry ({@code {"type":"faq","faqId":...}}), a model
 * ({@code {"type":"model","model":...}}), or the bot itself, writing no answer of a model or an entry
 * ({@code {"type":"bot","kind":"small-talk"|"faq-offer"}}: the workspace's small-talk line, or the offer of FAQ
 * entries to pick from). Messages of other roles have no source.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageSource(String type, UUID faqId, String model, String kind) {

    public static final String FAQ = "faq";
    public static final String MODEL = "model";
    public static final String BOT = "bot";

    private static final String SMALL_TALK_KIND = "small-talk";
    private static final String FAQ_OFFER_KIND = "faq-offer";

    public static final MessageSource SMALL_TALK = bot(SMALL_TALK_KIND);
    public static final MessageSource FAQ_OFFER = bot(FAQ_OFFER_KIND);

    public MessageSource {
        Objects.requireNonNull(type, "type");
        boolean valid = switch (type) {
            case FAQ -> faqId != null && model == null && kind == null;
            case MODEL -> model != null && !model.isBlank() && faqId == null && kind == null;
            case BOT -> (SMALL_TALK_KIND.equals(kind) || FAQ_OFFER_KIND.equals(kind)) && faqId == null
                    && model == null;
            default -> false;
        };
        if (!valid) {
            throw new IllegalArgumentException("invalid message source: type=" + type + " faqId=" + faqId
                    + " model=" + model + " kind=" + kind);
        }
    }

    public static MessageSource faq(UUID faqId) {
        return new MessageSource(FAQ, faqId, null, null);
    }

    public static MessageSource model(String name) {
        return new MessageSource(MODEL, null, name, null);
    }

    /** The source of a bot message of {@code kind} (as stored), written by no model. */
    static MessageSource bot(String kind) {
        return new MessageSource(BOT, null, null, kind);
    }
}
