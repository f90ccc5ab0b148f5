package dev.switchboard.llm;

import dev.switchboard.inference.Cancellation;
import dev.switchboard.inference.DeltaWriter;
import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineStats;
import dev.switchboard.inference.FinishReason;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;

import java.util.List;
import java.util.function.LongConsumer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Our own engine, loaded in this process: the bot's answers come from it without an HTTP hop. Concurrent answers
 * share the engine's forward passes (continuous batching).
 */
public final class EngineChatModel implements ChatModel, AutoCloseable {
    private final Engine engine;

    public EngineChatModel(Engine engine) {
        if (!engine.supportsChat()) {
            throw new IllegalArgumentException("model " + engine.modelName()
                    + " has no chat vocabulary (the Llama 3 header tokens): it cannot answer customers");
        }
        this.engine = engine;
    }

    @Override
    public String modelName() {
        return engine.modelName();
    }

    /** The engine's counters and gauges now (batch, queue, KV cache, drafts, latencies). */
    public EngineStats stats() {
        return engine.stats();
    }

    /** See {@link Engine#observeLatencies}. */
    void observeLatencies(LongConsumer timeToFirstToken, LongConsumer interTokenLatency) {
        engine.observeLatencies(timeToFirstToken, interTokenLatency);
    }

    @Override
    public ChatStream stream(List<ChatMessage> messages, ChatOptions options, Consumer<String> onDelta) {
        List<dev.switchboard.inference.tokenizer.ChatMessage> dialog = messages.stream()
                .map(m -> new dev.switchboard.inference.tokenizer.ChatMessage(
                        m.role().name().toLowerCase(Locale.ROOT), m.content()))
                .toList();
        SamplingParams params = SamplingParams.builder()
                .temperature((float) options.temperature())
                .maxTokens(options.maxTokens())
                .build();
        Generation generation = new Generation();
        Thread.ofVirtual().name("engine-answer").start(() -> {
            // The engine calls listeners on its one output thread; the bot's delta handling writes to the event
            // stream, so it runs on a writer thread of its own and cannot stall other conversations' answers.
            GenerationResult r;
            try (DeltaWriter writer = new DeltaWriter(delta -> {
                // No delta after cancel: the caller may already have moved on (a human took over).
                synchronized (generation) {
                    if (generation.cancellation.isCancelled()) {
                        return false;
                    }
                    onDelta.accept(delta);
                    return true;
                }
            })) {
                r = engine.generate(engine.encodeChat(dialog), params, writer, generation.cancellation,
                        speculation(options.drafting()));
            } catch (RuntimeException e) {
                generation.result.completeExceptionally(
                        new ChatModelException("the in-process engine failed: " + e.getMessage(), e));
                return;
            }
            // Completed only after the writer delivered every delta: the text and the deltas always agree.
            generation.result.complete(new ChatResult(r.text(), finishReason(r.finishReason()),
                    new ChatResult.Usage(r.promptTokens(), r.completionTokens()),
                    r.decodePasses() == 0 ? Double.NaN : r.acceptanceLength()));
        });
        return generation;
    }

    /** The answer's drafting; its corpus is tokenized here, on the answer's own thread, not the scheduler's. */
    private Speculation speculation(ChatOptions.Drafting drafting) {
        if (!drafting.enabled()) {
            return engine.speculation();
        }
        Speculation speculation = new Speculation(draftMode(drafting.mode()), drafting.tokens());
        return drafting.corpus().isEmpty() ? speculation
                : speculation.withCorpus(engine.encodeCorpus(drafting.corpus()));
    }

    /** The port's draft modes are the engine's, by name. */
    private static DraftMode draftMode(ChatOptions.DraftingMode mode) {
        return DraftMode.valueOf(mode.name());
    }

    private static ChatResult.FinishReason finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> ChatResult.FinishReason.STOP;
            case LENGTH -> ChatResult.FinishReason.LENGTH;
            case CANCELLED -> ChatResult.FinishReason.CANCELLED;
        };
    }

    @Override
    public void close() {
        engine.close();
    }

    private static final class Generation implements ChatStream {
        final Cancellation cancellation = new Cancellation();
        final CompletableFuture<ChatResult> result = new CompletableFuture<>();

        @Override
        public ChatResult await() {
            try {
                return result.get();
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new ChatModelException("interrupted while waiting for the engine", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof ChatModelException c ? c
                        : new ChatModelException("the in-process engine failed: " + e.getCause(), e.getCause());
            }
        }

        @Override
        public void cancel() {
            synchronized (this) {
                cancellation.cancel();
            }
        }
    }
}
