package dev.switchboard.bot;

import dev.switchboard.common.Times;
import dev.switchboard.conversation.ConversationService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;

/**
 * Stores the figures of each streamed model answer in {@code model_answers}, for the dashboard's analytics: time to
 * first token, duration, tokens and, where the model reports it, the speculative acceptance length.
 */
@ApplicationScoped
public class ModelAnswerLog {

    /** How the generation ended, as stored. */
    public enum Outcome {
        ANSWERED, HANDOFF, ABANDONED
    }

    /**
     * One generation.
     *
     * @param ttftMillis from the request to the first delta; null when no delta came
     * @param completionTokens null when the model did not report usage
     * @param acceptanceLength NaN when the model does not report it
     */
    public record Figures(UUID conversationId, String model, Outcome outcome, Double ttftMillis,
            double durationMillis, Integer completionTokens, double acceptanceLength) {}

    @Inject
    ConversationService conversations;

    @Inject
    Clock clock;

    @Transactional
    public void record(Figures f) {
        ModelAnswer row = new ModelAnswer();
        row.conversationId = f.conversationId();
        row.workspaceId = conversations.findConversation(f.conversationId()).orElseThrow().workspaceId;
        row.model = f.model();
        row.outcome = f.outcome().name().toLowerCase(Locale.ROOT);
        row.ttftMs = f.ttftMillis();
        row.durationMs = f.durationMillis();
        row.completionTokens = f.completionTokens();
        row.acceptanceLength = Double.isNaN(f.acceptanceLength()) ? null : f.acceptanceLength();
        row.createdAt = Times.now(clock);
        row.persist();
    }
}
