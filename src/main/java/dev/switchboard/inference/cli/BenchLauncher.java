package dev.switchboard.inference.cli;

import dev.switchboard.inference.Cancellation;
import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.cpu.CpuBench;
import dev.switchboard.inference.cuda.CudaBench;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.server.OpenAiServer;
import dev.switchboard.inference.speculative.Speculation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code engine bench}: the CPU backend's own benchmark (prefill, decode, memory bandwidth), or with
 * {@code --engine} whole generations through {@link Engine} (sampling, detokenizing and the loop included).
 */
final class BenchLauncher {
    static final String USAGE = """
            Usage: engine bench --model FILE|synthetic:NAME [--type Q8_0] [--threads N] [--prompt 128] [--decode 32]
                   engine bench --model synthetic:llama3-8b --backend cuda [--weights bf16,fp8] [--streams 1,8,32,64]
                   engine bench --model FILE|synthetic:NAME --engine [--prompt 128] [--decode 128] [--runs 3] ...
              Without --engine: the CPU backend's benchmark: prefill and decode tokens per second and the memory
              bandwidth decode implies. With --engine: greedy generations through the engine facade; prints time
              to first token and decode tokens per second of each run (the first run includes JIT warm-up).
              --engine --server: also the same generations streamed through the HTTP server on localhost
              (POST /v1/completions, stream) and the time the server adds per token.
              --backend cuda: the GPU bench (batch-1 and multi-stream decode, copy bandwidth, the ceiling).
              --engine --draft prompt|suffix [--draft-tokens K]: speculative decoding on a repetitive workload
              (story starts, the model's greedy continuation, then the start again, so that the output quotes the
              prompt): acceptance length and speed-up against the same generations without drafts, then the cost
              of verifying k+1 positions in one pass relative to one decode step, for k = 1..K.
              --type is the weight type of a synthetic model; --ctx sets the engine's context length.
            """;

    private BenchLauncher() {
    }

    static void run(List<String> list, PrintStream out) {
        if (list.contains("--help")) {
            out.print(USAGE);
            return;
        }
        int backendAt = list.indexOf("--backend");
        if (backendAt >= 0 && backendAt + 1 < list.size() && list.get(backendAt + 1).equals("cuda")) {
            // The GPU bench has its own options (weight storage, stream counts): hand the rest over to it.
            List<String> rest = new ArrayList<>(list);
            rest.subList(backendAt, backendAt + 2).clear();
            CudaBench.main(rest.toArray(String[]::new));
            return;
        }
        Args args = new Args(list, Main.union(Main.DRAFT_OPTIONS, Set.of("--model", "--type", "--threads", "--prompt",
                "--decode", "--runs", "--ctx")), Set.of("--engine", "--server"));
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("bench takes no argument '" + args.positional().getFirst() + "'");
        }
        String model = args.required("--model");
        GgmlType type = Main.weightType(args.string("--type", "Q8_0"));
        int threads = args.integer("--threads", 0);
        int prompt = args.integer("--prompt", 128);
        int decode = args.integer("--decode", args.flag("--engine") ? 128 : 32);
        if (prompt < 1 || decode < 1) {
            throw new Args.UsageException("--prompt and --decode need at least 1");
        }
        Speculation speculation = Main.speculation(args);
        if (!args.flag("--engine")) {
            if (speculation.enabled()) {
                throw new Args.UsageException("--draft needs --engine");
            }
            CpuBench.run(model, type, threads, prompt, decode, out);
            return;
        }
        int runs = args.integer("--runs", 3);
        EngineOptions options = new EngineOptions(model, args.integer("--ctx", 0), threads, "cpu",
                EngineOptions.DEFAULT_PREFILL_CHUNK, type, speculation, 0, true);
        try (Engine engine = Engine.load(options)) {
            if (speculation.enabled()) {
                speculationRuns(engine, speculation, decode, runs, out);
                return;
            }
            if (prompt + decode > engine.config().contextLength()) {
                throw new Args.UsageException("--prompt + --decode (" + (prompt + decode) + ") exceed the context of "
                        + engine.config().contextLength());
            }
            int[] tokens = new int[prompt];
            for (int i = 0; i < prompt; i++) {
                tokens[i] = i % engine.tokenizer().vocabSize(); // any valid ids: speed does not depend on them
            }
            out.printf(Locale.ROOT, "engine: %s, %s backend, context %d, %d prompt tokens, up to %d generated%n",
                    engine.modelName(), engine.backendName(), engine.config().contextLength(), prompt, decode);
            for (int run = 1; run <= runs; run++) {
                GenerationResult r = engine.generate(tokens, SamplingParams.greedy(decode), TokenListener.IGNORE);
                out.printf(Locale.ROOT, "run %d: time to first token %.1f ms (prefill %.0f tok/s), %d tokens, "
                                + "decode %.1f tok/s, finish %s%n", run, r.timeToFirstTokenMillis(),
                        prompt * 1e9 / r.timeToFirstTokenNanos(), r.completionTokens(), r.decodeTokensPerSecond(),
                        r.finishReason().wireName());
            }
            if (args.flag("--server")) {
                serverRuns(engine, tokens, decode, runs, out);
            }
        }
    }

    /** Story starts for the repetitive workload: what a TinyStories model continues readily. */
    private static final List<String> STARTS = List.of("Once upon a time, there was a little dog.",
            "Tom and Sue went to the park.", "Lily had a red ball. She", "The sun was hot and the bird sang.");

    /**
     * Greedy generations with and without drafts of prompts that quote the model's own output; prints acceptance
     * length and the decode speed-up (same tokens either way, so decode times compare directly), then the
     * relative cost of verification passes.
     */
    private static void speculationRuns(Engine engine, Speculation speculation, int decode, int runs, PrintStream out) {
        int context = engine.config().contextLength();
        out.printf(Locale.ROOT, "engine: %s, %s backend, context %d, draft %s up to %d tokens, %d tokens per "
                        + "generation%n", engine.modelName(), engine.backendName(), context,
                speculation.mode().wireName(), speculation.maxTokens(), decode);
        long plainNanos = 0;
        long draftNanos = 0;
        long passes = 0;
        long accepted = 0;
        long drafted = 0;
        long plainTokens = 0;
        int lastPrompt = 1;
        for (int run = 1; run <= runs; run++) {
            for (String start : STARTS) {
                String earlier = engine.generate(engine.encodePrompt(start), SamplingParams.greedy(decode),
                        TokenListener.IGNORE).text();
                int[] prompt = engine.encodePrompt(start + earlier + "\n" + start);
                if (prompt.length + decode > context) {
                    throw new Args.UsageException("the workload's prompts (" + prompt.length + " tokens) and --decode "
                            + decode + " exceed the context of " + context);
                }
                lastPrompt = prompt.length;
                GenerationResult plain = engine.generate(prompt, SamplingParams.greedy(decode), TokenListener.IGNORE,
                        new Cancellation(), Speculation.NONE);
                GenerationResult fast = engine.generate(prompt, SamplingParams.greedy(decode), TokenListener.IGNORE,
                        new Cancellation(), speculation);
                if (!Arrays.equals(plain.tokens(), fast.tokens())) {
                    throw new IllegalStateException("speculative greedy output differs from plain greedy output");
                }
                if (run > 1 || runs == 1) { // the first round warms the JIT up
                    plainNanos += plain.decodeNanos();
                    plainTokens += plain.completionTokens() - 1;
                    draftNanos += fast.decodeNanos();
                    passes += fast.decodePasses();
                    accepted += fast.acceptedTokens();
                    drafted += fast.draftedTokens();
                }
            }
            out.printf(Locale.ROOT, "round %d done%n", run);
        }
        out.printf(Locale.ROOT, "acceptance length %.2f tokens per pass (%d of %d drafted tokens accepted, %.0f%%); "
                        + "decode %.1f ms without drafts, %.1f ms with: speed-up %.2fx%n",
                passes == 0 ? 0 : (double) (passes + accepted) / passes, accepted, drafted,
                drafted == 0 ? 0 : 100.0 * accepted / drafted, plainNanos / 1e6, draftNanos / 1e6,
                draftNanos == 0 ? 0 : (double) plainNanos / draftNanos);
        int k = Math.min(speculation.maxTokens(), context - lastPrompt - 1);
        // About two seconds of passes (a pass of n positions costs at most n decode steps), 3 to 20 of each size.
        double stepNanos = plainNanos / Math.max(1.0, plainTokens);
        int repetitions = (int) Math.clamp(2e9 / (stepNanos * (k + 1) * (k + 2) / 2), 3, 20);
        long[] best = engine.timeVerifyPasses(lastPrompt, k + 1, repetitions);
        StringBuilder line = new StringBuilder("verify cost (one pass of k+1 positions / one decode step, after "
                + lastPrompt + " positions):");
        for (int i = 1; i <= k; i++) {
            line.append(String.format(Locale.ROOT, " k=%d %.2f", i, (double) best[i] / best[0]));
        }
        out.println(line);
        out.printf(Locale.ROOT, "one decode step: %.3f ms%n", best[0] / 1e6);
    }

    /**
     * Alternates direct and HTTP-streamed generations of the same greedy request, timing each whole request, and
     * prints the difference per generated token: what HTTP, JSON and SSE add.
     */
    private static void serverRuns(Engine engine, int[] prompt, int decode, int runs, PrintStream out) {
        try (OpenAiServer server = OpenAiServer.start(engine, "127.0.0.1", 0, null);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String body = Json.write(Map.of("model", engine.modelName(), "prompt", prompt, "max_tokens", decode,
                    "temperature", 0, "stream", true, "stream_options", Map.of("include_usage", true)));
            HttpRequest request = HttpRequest.newBuilder(server.baseUri().resolve("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            double bestDirect = Double.MAX_VALUE;
            double bestServer = Double.MAX_VALUE;
            for (int run = 1; run <= runs; run++) {
                // Alternate which goes first, so that neither always runs in the other's wake.
                double directPerToken = 0;
                double serverPerToken = 0;
                long tokens = 0;
                for (int order = 0; order < 2; order++) {
                    long t0 = System.nanoTime();
                    if ((order == 0) == (run % 2 == 1)) {
                        int n = engine.generate(prompt, SamplingParams.greedy(decode), TokenListener.IGNORE)
                                .completionTokens();
                        directPerToken = (System.nanoTime() - t0) / 1e3 / n;
                    } else {
                        tokens = streamedTokens(http, request);
                        serverPerToken = (System.nanoTime() - t0) / 1e3 / tokens;
                    }
                }
                bestDirect = Math.min(bestDirect, directPerToken);
                bestServer = Math.min(bestServer, serverPerToken);
                out.printf(Locale.ROOT, "server run %d: %d tokens streamed, %.1f us/token vs %.1f us/token direct%n",
                        run, tokens, serverPerToken, directPerToken);
            }
            // The fastest run of each kind is the one least disturbed by other load on the machine.
            out.printf(Locale.ROOT, "best runs: %.1f us/token streamed vs %.1f us/token direct: the server adds "
                    + "%.1f us/token%n", bestServer, bestDirect, bestServer - bestDirect);
        }
    }

    /** Sends a streaming request, reads it to the end, and returns the completion tokens its usage chunk gives. */
    private static long streamedTokens(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the server answered " + response.statusCode());
            }
            long[] tokens = {-1};
            try (Stream<String> lines = response.body()) {
                lines.filter(l -> l.startsWith("data: {")).forEach(l -> {
                    Object usage = ((Map<?, ?>) Json.parse(l.substring(6))).get("usage");
                    if (usage instanceof Map<?, ?> u) {
                        tokens[0] = ((Number) u.get("completion_tokens")).longValue();
                    }
                });
            }
            if (tokens[0] < 0) {
                throw new IllegalStateException("the stream ended without a usage chunk");
            }
            return tokens[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
