package dev.switchboard.bot;

import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.faq.match.FaqCandidate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What a support answer is likely to quote, for suffix drafting: the workspace's FAQ answers (those grounding this
 * answer first) and the model's most recent earlier answers in the same workspace. Never another workspace's text:
 * the corpus goes into the request, and drafts from it would leak into timing at least.
 */
@ApplicationScoped
class DraftCorpus {

    /** Earlier answers read per answer: recent ones repeat the phrasing of current FAQ answers best. */
    static final int EARLIER_ANSWERS = 50;
    /** Bounds on what one request carries (and the server indexes): well inside our server's own limits. */
    static final int MAX_TEXTS = 128;
    static final int MAX_CHARS = 48_000;

    @Inject
    ConversationQueries conversationQueries;

    /**
     * @param grounding the FAQ entries in the answer's prompt, likeliest first
     * @param faq all FAQ entries of the workspace
     */
    List<String> texts(UUID workspaceId, List<FaqCandidate> grounding, List<FaqCandidate> faq) {
        SequencedSet<String> texts = new LinkedHashSet<>();
        Stream.concat(grounding.stream(), faq.stream()).map(FaqCandidate::answer).forEach(texts::add);
        texts.addAll(earlierAnswers(workspaceId));
        List<String> bounded = new ArrayList<>();
        int chars = 0;
        for (String text : texts) {
            if (bounded.size() == MAX_TEXTS || chars + text.length() > MAX_CHARS) {
                break;
            }
            if (!text.isBlank()) {
                bounded.add(text);
                chars += text.length();
            }
        }
        return bounded;
    }

    private List<String> earlierAnswers(UUID workspaceId) {
        return conversationQueries.latestModelAnswers(workspaceId, EARLIER_ANSWERS);
    }
}
