package dev.switchboard.bot;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationEvents;
import dev.switchboard.conversation.ConversationStatus;
import dev.switchboard.conversation.HandoffReason;
import dev.switchboard.conversation.MessageSource;
import dev.switchboard.llm.ChatMessage;
import dev.switchboard.llm.ChatModel;
import dev.switchboard.llm.ChatModelException;
import dev.switchboard.llm.ChatOptions;
import dev.switchboard.llm.ChatResult;
import dev.switchboard.llm.ChatStream;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
    /** How often the status is checked while the model streams; a takeover stops generation within this. */
    private static final Duration TAKEOVER_CHECK = Duration.ofMillis(200);

    sealed interface Outcome {
        record Answered(String text, String model) implements Outcome {}

        record Handoff(HandoffReason reason) implements Outcome {}

        /** The conversation left the bot, or the customer wrote again, meanwhile: nothing was stored. */
        record Abandoned() implements Outcome {}
    }

    @Inject
    ConversationEvents events;

    @Inject
    BotReplies replies;

    @Inject
    BotConfig config;

    @Inject
    ModelCircuit circuit;

    /** @param answeredSeq the seq of the customer message being answered */
    Outcome answer(ChatModel model, UUID conversationId, long answeredSeq, List<ChatMessage> prompt) {
        HandoffMarkerFilter filter = new HandoffMarkerFilter();
        AtomicReference<ChatStream> streamRef = new AtomicReference<>();
        AtomicBoolean takenOver = new AtomicBoolean();
        events.typing(conversationId, true);
        try {
            ChatResult result = circuit.call(() -> {
                ChatStream stream = model.stream(prompt, new ChatOptions(config.maxTokens(), config.temperature()),
                        delta -> {
                            String shown = filter.accept(delta);
                            events.delta(conversationId, shown);
                            if (filter.markerSeen() && streamRef.get() != null) {
                                streamRef.get().cancel(); // the answer is a handoff: generating more is waste
                            }
                        });
                streamRef.set(stream);
                Thread watch = Thread.ofVirtual().name("takeover-watch").start(() -> {
                    try {
                        while (true) {
                            Thread.sleep(TAKEOVER_CHECK);
                            if (!withBot(conversationId)) {
                                takenOver.set(true);
                                stream.cancel();
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        // the answer ended first
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "Cannot check the status of conversation %s while answering", conversationId);
                    }
                });
                try {
                    return stream.await();
                } finally {
                    watch.interrupt();
                }
            });
            events.typing(conversationId, false);
            if (takenOver.get()) {
                return new Outcome.Abandoned();
            }
            if (filter.markerSeen()) {
                return new Outcome.Handoff(HandoffReason.MISSING_KNOWLEDGE);
            }
            events.delta(conversationId, filter.flush());
            String text = result.text().strip();
            if (text.isEmpty()) {
                return new Outcome.Handoff(HandoffReason.LOW_CONFIDENCE);
            }
            if (result.finishReason() == ChatResult.FinishReason.CANCELLED) {
                return new Outcome.Abandoned();
            }
            if (!replies.replyIfLatest(conversationId, answeredSeq, text, MessageSource.model(model.modelName()))) {
                return new Outcome.Abandoned();
            }
            return new Outcome.Answered(text, model.modelName());
        } catch (ChatModelException e) {
            LOG.warnf("The model could not answer in conversation %s: %s", conversationId, e.getMessage());
            return new Outcome.Handoff(HandoffReason.INFERENCE_UNAVAILABLE);
        } catch (CircuitBreakerOpenException e) {
            LOG.debugf("Model not called for conversation %s: the inference circuit is open", conversationId);
            return new Outcome.Handoff(HandoffReason.INFERENCE_UNAVAILABLE);
        } finally {
            events.typing(conversationId, false);
        }
    }

    private static boolean withBot(UUID conversationId) {
        return QuarkusTransaction.requiringNew().call(() -> Conversation.getEntityManager()
                .createQuery("select c.status from Conversation c where c.id = ?1", ConversationStatus.class)
                .setParameter(1, conversationId)
                .getSingleResult() == ConversationStatus.BOT);
    }
}
