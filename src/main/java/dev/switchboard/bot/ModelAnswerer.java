package dev.switchboard.bot;

import dev.switchboard.conversation.ConversationActivity;
import dev.switchboard.conversation.ConversationEvents;
import dev.switchboard.conversation.ConversationQueries;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.conversation.MessageSource;
import dev.switchboard.llm.ChatMessage;
import dev.switchboard.llm.ChatModel;
import dev.switchboard.llm.ChatModelException;
import dev.switchboard.llm.ChatOptions;
import dev.switchboard.llm.ChatResult;
import dev.switchboard.llm.ChatStream;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * Streams one model answer to the conversation's event stream and stores it: typing on, each delta as it comes
 * (never a piece of the handoff marker), typing off, the final message. Stops generating as soon as the marker
 * appears or a person takes the conversation over.
 */
@ApplicationScoped
class ModelAnswerer {

    private static final Logger LOG = Logger.getLogger(ModelAnswerer.class);
    /**
     * How often the status is checked while the model streams: the fallback when no commit notification arrives (a
     * takeover on a replica whose events do not reach this one). Locally committed takeovers wake the watch at once.
     */
    private static final Duration TAKEOVER_CHECK = Duration.ofMillis(200);

    sealed interface Outcome {
        record Answered(String text, String model) implements Outcome {}

        record Handoff(HandoffReason reason) implements Outcome {}

        /** The conversation left the bot, or the customer wrote again, meanwhile: nothing was stored. */
        record Abandoned() implements Outcome {}
    }

    @Inject
    ConversationQueries conversationQueries;

    @Inject
    ConversationEvents events;

    @Inject
    BotReplies replies;

    @Inject
    BotConfig config;

    @Inject
    ModelAnswerLog log;

    @Inject
    ModelCircuit circuit;

    /** The takeover watch of each conversation being answered (lanes run one answer per conversation at a time). */
    private final ConcurrentHashMap<UUID, Thread> watches = new ConcurrentHashMap<>();

    /** A commit in a conversation being answered may be a takeover: check its status now instead of at the tick. */
    void onActivity(@Observes ConversationActivity activity) {
        if (activity.kind() == ConversationActivity.Kind.COMMITTED) {
            Thread watch = watches.get(activity.conversationId());
            if (watch != null) {
                LockSupport.unpark(watch);
            }
        }
    }

    /**
     * @param answeredSeq the seq of the customer message being answered
     * @param drafting speculative decoding for this answer, its corpus from the conversation's workspace only
     */
    Outcome answer(ChatModel model, UUID conversationId, long answeredSeq, List<ChatMessage> prompt,
            ChatOptions.Drafting drafting) {
        HandoffMarkerFilter filter = new HandoffMarkerFilter();
        AtomicReference<ChatStream> streamRef = new AtomicReference<>();
        AtomicBoolean takenOver = new AtomicBoolean();
        long started = System.nanoTime();
        AtomicLong firstDelta = new AtomicLong();
        try (ConversationEvents.LiveAnswer live = events.liveAnswer(conversationId)) {
            live.typing(true);
            ChatResult result = circuit.call(() -> {
                ChatOptions options = new ChatOptions(config.maxTokens(), config.temperature(), drafting);
                ChatStream stream = model.stream(prompt, options,
                        delta -> {
                            firstDelta.compareAndSet(0, System.nanoTime());
                            live.delta(filter.accept(delta));
                            if (filter.markerSeen() && streamRef.get() != null) {
                                streamRef.get().cancel(); // the answer is a handoff: generating more is waste
                            }
                        });
                streamRef.set(stream);
                // Stopped by a flag, not an interrupt: interrupting a virtual thread in JDBC I/O closes its
                // connection.
                AtomicBoolean answerEnded = new AtomicBoolean();
                Thread watch = Thread.ofVirtual().name("takeover-watch").unstarted(() -> {
                    try {
                        while (!answerEnded.get()) {
                            // Woken early by onActivity; a spurious wake-up only costs one status read.
                            LockSupport.parkNanos(TAKEOVER_CHECK.toNanos());
                            if (!answerEnded.get() && !conversationQueries.withBot(conversationId)) {
                                takenOver.set(true);
                                stream.cancel();
                                return;
                            }
                        }
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "Cannot check the status of conversation %s while answering", conversationId);
                    }
                });
                watches.put(conversationId, watch);
                watch.start();
                try {
                    return stream.await();
                } finally {
                    watches.remove(conversationId, watch);
                    answerEnded.set(true);
                    LockSupport.unpark(watch);
                }
            });
            if (takenOver.get()) {
                record(model, conversationId, ModelAnswerLog.Outcome.ABANDONED, started, firstDelta.get(), result);
                return new Outcome.Abandoned();
            }
            if (filter.markerSeen()) {
                record(model, conversationId, ModelAnswerLog.Outcome.HANDOFF, started, firstDelta.get(), result);
                return new Outcome.Handoff(HandoffReason.MISSING_KNOWLEDGE);
            }
            live.delta(filter.flush());
            live.typing(false);
            String text = result.text().strip();
            if (text.isEmpty()) {
                return new Outcome.Handoff(HandoffReason.LOW_CONFIDENCE);
            }
            if (result.finishReason() == ChatResult.FinishReason.CANCELLED) {
                return new Outcome.Abandoned();
            }
            boolean stored = replies.replyIfLatest(conversationId, answeredSeq, text,
                    MessageSource.model(model.modelName()));
            record(model, conversationId, stored ? ModelAnswerLog.Outcome.ANSWERED : ModelAnswerLog.Outcome.ABANDONED,
                    started, firstDelta.get(), result);
            return stored ? new Outcome.Answered(text, model.modelName()) : new Outcome.Abandoned();
        } catch (ChatModelException e) {
            LOG.warnf("The model could not answer in conversation %s: %s", conversationId, e.getMessage());
            return new Outcome.Handoff(HandoffReason.INFERENCE_UNAVAILABLE);
        } catch (CircuitBreakerOpenException e) {
            LOG.debugf("Model not called for conversation %s: the inference circuit is open", conversationId);
            return new Outcome.Handoff(HandoffReason.INFERENCE_UNAVAILABLE);
        }
    }

    /** Bookkeeping: a failure to store the figures must not change the answer. */
    private void record(ChatModel model, UUID conversationId, ModelAnswerLog.Outcome outcome, long started,
            long firstDelta, ChatResult result) {
        try {
            int tokens = result.usage().completionTokens();
            log.record(new ModelAnswerLog.Figures(conversationId, model.modelName(), outcome,
                    firstDelta == 0 ? null : (firstDelta - started) / 1e6, (System.nanoTime() - started) / 1e6,
                    tokens < 0 ? null : tokens, result.acceptanceLength()));
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not record the figures of a model answer in conversation %s", conversationId);
        }
    }
}
