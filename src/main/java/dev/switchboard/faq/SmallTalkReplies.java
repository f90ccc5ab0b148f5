package dev.switchboard.faq;

import dev.switchboard.common.Validation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * What the bot says to a greeting or a thank-you, per workspace: a short friendly line instead of a handoff (nobody
 * needs a person to say hello) and without a model call.
 */
@ApplicationScoped
public class SmallTalkReplies {

    public static final String DEFAULT_GREETING = "Hi! How can I help you today?";
    public static final String DEFAULT_THANKS = "You're welcome! Is there anything else I can help with?";
    public static final int MAX_REPLY = 500;

    private static final Set<String> THANKS = Set.of("thanks", "thank", "thx", "ty", "cheers", "ta", "danke",
            "gracias", "merci", "grazie", "obrigado", "obrigada", "bedankt", "dank", "bye", "goodbye");

    /** greeting: the reply to "hi", "hello", ...; thanks: the reply to "thanks", "bye", ... */
    public record Replies(String greeting, String thanks) {}

    @Inject
    EntityManager em;

    @Transactional
    public Replies get(UUID workspaceId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select greeting_reply, thanks_reply from faq_settings "
                + "where workspace_id = ?1").setParameter(1, workspaceId).getResultList();
        String greeting = rows.isEmpty() || rows.getFirst()[0] == null ? DEFAULT_GREETING : (String) rows.getFirst()[0];
        String thanks = rows.isEmpty() || rows.getFirst()[1] == null ? DEFAULT_THANKS : (String) rows.getFirst()[1];
        return new Replies(greeting, thanks);
    }

    /** Sets both replies; a null one goes back to the default. */
    @Transactional
    public Replies set(UUID workspaceId, Replies replies) {
        Validation.requireBody(replies);
        String greeting = replies.greeting() == null ? null
                : Validation.requireText(replies.greeting(), "greeting", MAX_REPLY).strip();
        String thanks = replies.thanks() == null ? null
                : Validation.requireText(replies.thanks(), "thanks", MAX_REPLY).strip();
        em.createNativeQuery("insert into faq_settings (workspace_id, greeting_reply, thanks_reply) values (?1, ?2, ?3)"
                        + " on conflict (workspace_id) do update set greeting_reply = ?2, thanks_reply = ?3")
                .setParameter(1, workspaceId).setParameter(2, greeting).setParameter(3, thanks).executeUpdate();
        return get(workspaceId);
    }

    /** The reply to a small-talk message: the thanks reply when it thanks or says goodbye, else the greeting. */
    public String replyTo(UUID workspaceId, String message) {
        Replies r = get(workspaceId);
        return Arrays.stream(message.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")).anyMatch(THANKS::contains)
                ? r.thanks() : r.greeting();
    }
}
