package dev.switchboard.bot;

import dev.switchboard.conversation.ConversationService;
import dev.switchboard.conversation.CustomerMessagePosted;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.conversation.Message;
import dev.switchboard.faq.FaqVersion;
import dev.switchboard.conversation.MessageRole;
import dev.switchboard.conversation.MessageSource;
import dev.switchboard.conversation.OfferedEntry;
import dev.switchboard.faq.FaqService;
import dev.switchboard.faq.FaqVerifier;
import dev.switchboard.faq.SmallTalkReplies;
import dev.switchboard.faq.match.FaqCandidate;
import dev.switchboard.faq.match.FaqMatcher;
import dev.switchboard.faq.match.MatchResult;
import dev.switchboard.faq.match.TextEmbedder;
import dev.switchboard.llm.ChatMessage;
import dev.switchboard.llm.ChatModel;
import dev.switchboard.llm.ChatModelProvider;
import dev.switchboard.llm.ChatOptions;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Answers one committed customer message, in this order: nothing if it was answered already (messages can be
 * delivered twice); the entry the customer picked from those the bot offered just before; a person if the customer
 * asks for one; the workspace's small-talk reply to a greeting or thanks; the FAQ entry the matcher is sure of, or
 * the one the model picks for a borderline match; the model answer cached for the same question; a model answer
 * grounded in the nearest FAQ entries (a person when the workspace has no FAQ to ground it in); without a model,
 * the nearest entries offered for the customer to pick from when the matcher came close (not twice in a row), also
 * when the model cannot answer now; a person when there is no model or it fails. Whatever goes
 * wrong ends in a handoff, so no customer message is left without a reply or a human.
 * <p>
 * Two workers may get the same message (a redelivery after a Kafka rebalance, a re-emit at start-up): both may
 * work on it, but every write ({@link BotReplies}) re-checks under the conversation's row lock that the message is
 * still unanswered, so exactly one reply or handoff is stored.
 */
@ApplicationScoped
public class BotPipeline {

    private static final Logger LOG = Logger.getLogger(BotPipeline.class);

    /** What the customer reads above the offered entries (the widget shows it in its own locale). */
    static final String OFFER_TEXT = "I'm not sure I understood. Is your question one of these?";

    /**
     * What the pipeline works from, read in one transaction.
     *
     * @param openOffers the entries the bot's message right before this one offered to pick from (empty if none)
     */
    record Pending(Message message, List<ChatMessage> history, FaqVersion faqVersion, List<OfferedEntry> openOffers) {
        /** The model sees no earlier turn: the answer depends on the question alone and may be reused. */
        boolean standalone() {
            return history.size() == 1;
        }
    }

    @Inject
    ConversationService conversations;

    @Inject
    FaqService faq;

    @Inject
    FaqSnapshots faqSnapshots;

    @Inject
    AnswerCache answerCache;

    @Inject
    TextEmbedder embedder;

    @Inject
    FaqMatcher matcher;

    @Inject
    FaqVerifier verifier;

    @Inject
    SmallTalkReplies smallTalk;

    @Inject
    ChatModelProvider models;

    @Inject
    ModelAnswerer modelAnswerer;

    @Inject
    DraftCorpus draftCorpus;

    @Inject
    BotReplies replies;

    @Inject
    BotMetrics metrics;

    @Inject
    BotConfig config;

    /**
     * @param receivedNanos {@link System#nanoTime()} when the bot received the message, for the latency metrics
     */
    public void answer(CustomerMessagePosted posted, long receivedNanos) {
        try {
            decide(posted, receivedNanos);
        } catch (RuntimeException | LinkageError e) { // LinkageError: a native library (embeddings) failed to load
            LOG.errorf(e, "Answering message %s of conversation %s failed; handing off", posted.messageId(),
                    posted.conversationId());
            handoff(posted, HandoffReason.INFERENCE_UNAVAILABLE);
        }
    }

    private void decide(CustomerMessagePosted posted, long receivedNanos) {
        UUID conversationId = posted.conversationId();
        Optional<Pending> loaded = load(posted);
        if (loaded.isEmpty()) {
            LOG.debugf("Message %s needs no bot answer of its own", posted.messageId());
            return;
        }
        Pending pending = loaded.get();
        String question = pending.message().content;
        FaqSnapshots.Snapshot snapshot = faqSnapshots.of(posted.workspaceId(), pending.faqVersion());
        List<FaqCandidate> candidates = snapshot.candidates();
        Optional<FaqCandidate> pick = picked(question, pending.openOffers(), candidates);
        if (pick.isPresent()) {
            if (sendFaqAnswer(posted, pending, pick.get(), receivedNanos)) {
                metrics.offerPicked();
            }
            return;
        }
        float[] embedding = embedder.embed(question); // a pick needs none
        MatchResult match = matcher.match(question, embedding, candidates, snapshot.calibration());

        if (match.wantsHuman()) {
            handoff(posted, HandoffReason.CUSTOMER_REQUEST);
            return;
        }
        if (match.smallTalk()) {
            replies.replyIfLatest(conversationId, pending.message().seq,
                    smallTalk.replyTo(posted.workspaceId(), question), MessageSource.SMALL_TALK);
            return;
        }
        Optional<ChatModel> model = models.model();
        FaqCandidate answer = match.answer();
        List<FaqCandidate> grounding = FaqVerifier.choices(match);
        if (FaqVerifier.worthAsking(match) && model.isPresent()) {
            Optional<FaqCandidate> picked = verifier.pick(model.get(), question, grounding, false);
            Optional<FaqCandidate> sendable = FaqVerifier.sendable(match, picked);
            if (sendable.isPresent()) {
                answer = sendable.get();
            } else if (picked.isPresent()) {
                // the right entry, in another language: the model answers from it in the customer's language
                grounding = Stream.concat(picked.stream(), grounding.stream().filter(c -> c != picked.get()))
                        .toList();
            }
        }
        if (answer != null) {
            sendFaqAnswer(posted, pending, answer, receivedNanos);
            return;
        }
        if (pending.standalone()) {
            Optional<AnswerCache.Hit> cached =
                    answerCache.find(posted.workspaceId(), pending.faqVersion(), question, embedding);
            if (cached.isPresent()) {
                if (replies.replyIfLatest(conversationId, pending.message().seq, cached.get().answer(),
                        MessageSource.model(cached.get().model()))) {
                    metrics.cacheAnswered();
                }
                return;
            }
        }
        if (grounding.isEmpty()) {
            handoff(posted, HandoffReason.MISSING_KNOWLEDGE); // nothing to ground a model answer in
            return;
        }
        if (model.isEmpty()) {
            if (!offer(posted, pending, match)) {
                handoff(posted, HandoffReason.INFERENCE_UNAVAILABLE);
            }
            return;
        }
        ChatOptions.Drafting drafting = models.drafting();
        if (drafting.mode() == ChatOptions.DraftingMode.SUFFIX) {
            drafting = drafting.withCorpus(draftCorpus.texts(posted.workspaceId(), grounding, candidates));
        }
        ModelAnswerer.Outcome outcome = modelAnswerer.answer(model.get(), conversationId, pending.message().seq,
                GroundedPrompt.build(grounding, pending.history()), drafting);
        switch (outcome) {
            case ModelAnswerer.Outcome.Answered a -> {
                metrics.modelAnswered(since(receivedNanos));
                if (pending.standalone()) {
                    bookkeeping("cache the answer", () -> answerCache.put(posted.workspaceId(),
                            pending.faqVersion(), question, embedding, a.text(), a.model()));
                }
            }
            case ModelAnswerer.Outcome.Handoff h -> {
                // a model that cannot answer now is like none: the customer may still pick the entry
                if (h.reason() != HandoffReason.INFERENCE_UNAVAILABLE || !offer(posted, pending, match)) {
                    handoff(posted, h.reason());
                }
            }
            case ModelAnswerer.Outcome.Abandoned ignored -> { }
        }
    }

    /**
     * Offers the matcher's nearest entries when it came close but is not sure, unless the bot's message right before
     * offered some already (a second miss in a row goes to a person). Returns whether the bot is done with the
     * message: the offer was stored, or a newer message or a person made it moot.
     */
    private boolean offer(CustomerMessagePosted posted, Pending pending, MatchResult match) {
        if (match.offers().isEmpty() || !pending.openOffers().isEmpty()) {
            return false;
        }
        List<OfferedEntry> offers = match.offers().stream()
                .map(c -> new OfferedEntry(UUID.fromString(c.id()), c.question()))
                .toList();
        if (replies.replyIfLatest(posted.conversationId(), pending.message().seq, OFFER_TEXT,
                MessageSource.FAQ_OFFER, offers)) {
            metrics.offered();
        }
        return true;
    }

    /** Whether the entry's answer was stored as the answer to the pending message; counts the hit if so. */
    private boolean sendFaqAnswer(CustomerMessagePosted posted, Pending pending, FaqCandidate entry,
                                  long receivedNanos) {
        UUID faqId = UUID.fromString(entry.id());
        if (!replies.replyIfLatest(posted.conversationId(), pending.message().seq, entry.answer(),
                MessageSource.faq(faqId))) {
            return false;
        }
        metrics.faqAnswered(since(receivedNanos));
        bookkeeping("count the FAQ hit", () -> faq.recordHit(faqId));
        return true;
    }

    /**
     * The offered entry the message picks: the widget sends an offered entry's question as the customer's message,
     * and a customer who types it gets the same. Empty when the message is anything else or the entry was deleted
     * since (it is then matched like any message).
     */
    static Optional<FaqCandidate> picked(String message, List<OfferedEntry> offers, List<FaqCandidate> candidates) {
        String text = OfferedEntry.comparable(message);
        return offers.stream()
                .filter(o -> OfferedEntry.comparable(o.question()).equals(text))
                .findFirst()
                .flatMap(o -> candidates.stream().filter(c -> c.id().equals(o.faqId().toString())).findFirst());
    }

    /** The entries offered by the bot's message right before the turn's customer messages, if it offered any. */
    static List<OfferedEntry> openOffers(List<Message> turn) {
        for (int i = turn.size() - 2; i >= 0; i--) {
            Message m = turn.get(i);
            if (m.role != MessageRole.CUSTOMER) {
                return m.role == MessageRole.BOT ? m.offers() : List.of();
            }
        }
        return List.of();
    }

    /**
     * The message and its context, or empty when the bot must not answer it: it was answered already (see
     * awaitsBotAnswer), or the customer wrote again since. The later message is answered then, with this one in
     * its context: answering each of "Hi" and "what is your return policy?" sent in a row would answer the second
     * late, or, once the first answer follows it, not at all.
     */
    private Optional<Pending> load(CustomerMessagePosted posted) {
        if (!conversations.awaitsBotAnswer(posted.messageId())) {
            return Optional.empty();
        }
        return QuarkusTransaction.requiringNew().call(() -> conversations
                .latestTurn(posted.messageId(), config.historyMessages())
                .map(recent -> new Pending(recent.getLast(), recent.stream()
                        .filter(m -> m.role != MessageRole.SYSTEM)
                        .map(m -> m.role == MessageRole.CUSTOMER ? ChatMessage.user(m.content)
                                : ChatMessage.assistant(m.content))
                        .toList(), FaqVersion.of(posted.workspaceId()), openOffers(recent))));
    }

    /** Work after the answer is stored: its failure must not turn the answered conversation into a handoff. */
    private static void bookkeeping(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not %s; the answer stands", what);
        }
    }

    private void handoff(CustomerMessagePosted posted, HandoffReason reason) {
        try {
            replies.handoffIfUnanswered(posted.messageId(), reason);
        } catch (RuntimeException e) {
            // Left with the bot and unanswered: UnansweredMessageRecovery re-emits it at the next start.
            LOG.errorf(e, "Handoff of conversation %s (%s) failed", posted.conversationId(), reason.code());
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
