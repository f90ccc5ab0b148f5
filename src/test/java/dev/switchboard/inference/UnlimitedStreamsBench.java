package dev.switchboard.inference;

import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.Speculation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streams without max_tokens, as the OpenAI SDKs send them: each may run to the end of the context, but ends after
 * {@code --decode} tokens (the model "says" end of sequence: a logits processor forces the EOS token then). Prints
 * summed tokens per second and time to first token of {@code --streams} such streams at once, so that admission
 * by worst case (each reserves a whole context) and by use (each takes what it generates) can be compared.
 *
 * <pre>java -cp target/classes:target/test-classes dev.switchboard.inference.UnlimitedStreamsBench \
 *     [--model ../shared/models/stories260K/stories260K.gguf] [--streams 16] [--ctx 512] [--kv-tokens 2048]
 *     [--prompt 64] [--decode 128] [--runs 3]</pre>
 *
 * Uses only the engine's public API, so the same class runs against an older build of the engine.
 */
public final class UnlimitedStreamsBench {
    private UnlimitedStreamsBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        String model = option(a, "--model", "../shared/models/stories260K/stories260K.gguf");
        int streams = Integer.parseInt(option(a, "--streams", "16"));
        int kvTokens = Integer.parseInt(option(a, "--kv-tokens", "2048"));
        int context = Integer.parseInt(option(a, "--ctx", "512"));
        int promptLength = Integer.parseInt(option(a, "--prompt", "64"));
        int decode = Integer.parseInt(option(a, "--decode", "128"));
        int runs = Integer.parseInt(option(a, "--runs", "3"));
        if (!Files.exists(Path.of(model))) {
            System.err.println("SKIPPED: no model at " + model);
            return;
        }
        try (Engine engine = Engine.load(EngineOptions.of(model).withThreads(2).withContextLength(context)
                .withKvCacheTokens(kvTokens))) {
            int eos = engine.tokenizer().eos();
            System.out.printf(Locale.ROOT, "%s: context %d, KV cache %d positions, %d streams of %d prompt + %d "
                    + "generated tokens, max_tokens unset (%d)%n", engine.modelName(), context,
                    engine.kvCacheTokens(), streams, promptLength, decode, context - promptLength);
            round(engine, 2, promptLength, decode, eos, 1000); // JIT warm-up
            for (int run = 0; run < runs; run++) {
                long t0 = System.nanoTime();
                List<GenerationResult> results = round(engine, streams, promptLength, decode, eos, run * streams);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long tokens = results.stream().mapToLong(GenerationResult::completionTokens).sum();
                double[] ttft = results.stream().mapToDouble(GenerationResult::timeToFirstTokenMillis).sorted()
                        .toArray();
                System.out.printf(Locale.ROOT, "run %d: %.1f tok/s summed, time to first token median %.0f ms, "
                        + "max %.0f ms, %.2f s in all%n", run, tokens / seconds, ttft[ttft.length / 2],
                        ttft[ttft.length - 1], seconds);
            }
        }
    }

    private static List<GenerationResult> round(Engine engine, int n, int promptLength, int decode, int eos,
            int seed) throws Exception {
        int context = engine.config().contextLength();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] prompt = prompt(engine, promptLength, seed + i);
                // Forces EOS once decode tokens are out: a stream that ends by itself, long before its limit.
                GenerationControls stopAfter = new GenerationControls(List.of(
                        (tokens, promptEnd, length, logits, offset, vocab) -> {
                            if (length - promptEnd >= decode - 1) {
                                Arrays.fill(logits, offset, offset + vocab, Float.NEGATIVE_INFINITY);
                                logits[offset + eos] = 0;
                            }
                        }), null, false);
                futures.add(pool.submit(() -> engine.generate(prompt, SamplingParams.greedy(context - promptLength),
                        stopAfter, TokenListener.IGNORE, new Cancellation(), Speculation.NONE)));
            }
            List<GenerationResult> results = new ArrayList<>();
            for (Future<GenerationResult> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    /** A distinct prompt per stream (no shared prefix): words of the model's vocabulary. */
    private static int[] prompt(Engine engine, int length, int seed) {
        StringBuilder text = new StringBuilder();
        int[] ids;
        int i = 0;
        do {
            text.append(" word").append(seed).append('x').append(i++);
            ids = engine.encodePrompt(text.toString());
        } while (ids.length < length);
        return Arrays.copyOf(ids, length);
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        return at < 0 ? fallback : args.get(at + 1);
    }
}
