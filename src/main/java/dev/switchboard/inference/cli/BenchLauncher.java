package dev.switchboard.inference.cli;

import dev.switchboard.inference.Cancellation;
import dev.switchboard.inference.Engine;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.cpu.CpuBench;
import dev.switchboard.inference.cuda.CudaBench;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.json.Json;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.server.OpenAiServer;
import dev.switchboard.inference.speculative.Speculation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
              --engine --streams 1,4,16,64: continuous batching: that many generations at once (distinct prompts
              of --prompt tokens, --decode tokens each), throughput summed over streams and time to first token;
              then time to first token of a prompt whose first --prompt tokens are in the prefix cache against
              one whose are not. The KV cache holds all streams unless --kv-tokens says otherwise.
              --type is the weight type of a synthetic model; --ctx sets the engine's context length;
              --kv-tokens, --prefill-chunk and --no-prefix-cache as for serve.
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
        Args args = new Args(list, Main.union(Main.union(Main.DRAFT_OPTIONS, Main.BATCH_OPTIONS), Set.of("--model",
                "--type", "--threads", "--prompt", "--decode", "--runs", "--ctx", "--streams", "--weights", "--kv-type",
                "--kernels", "--prefetch")),
                Set.of("--engine", "--server", Main.NO_PREFIX_CACHE));
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
            if (speculation.enabled() || args.flag("--streams")) {
                throw new Args.UsageException((args.flag("--streams") ? "--streams" : "--draft") + " needs --engine");
            }
            Main.useKernels(args);
            CpuBench.run(model, type, threads, prompt, decode, KvType.parse(args.string("--kv-type", "f32")), out);
            return;
        }
        int runs = args.integer("--runs", 3);
        EngineOptions options = Main.engineOptions(args);
        if (args.flag("--streams")) {
            int[] streams = streamCounts(args.string("--streams", "1"));
            if (options.kvCacheTokens() == 0) {
                // Room for every stream at once, so that the figure measures batching rather than queueing.
                options = options.withKvCacheTokens(Arrays.stream(streams).max().orElseThrow() * (prompt + decode
                        + 2 * Speculation.MAX_TOKENS));
            }
            try (Engine engine = Engine.load(options)) {
                streamRuns(engine, streams, prompt, decode, runs, out);
                prefixRuns(engine, prompt, runs, out);
            }
            return;
        }
        if (speculation.enabled()) {
            VerifyPasses.Shape shape;
            try (Engine engine = Engine.load(options)) {
                shape = speculationRuns(engine, speculation, decode, runs, out);
            }
            // Raw passes on the model alone, after the engine let go of it.
            try (Engine.Loaded loaded = Engine.Loaded.open(options, options.model(), options.contextLength(),
                    LoadProgress.NONE)) {
                printVerifyCost(shape, VerifyPasses.time(loaded, shape, options.prefillChunk()), out);
            }
            return;
        }
        try (Engine engine = Engine.load(options)) {
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

    private static int[] streamCounts(String list) {
        try {
            int[] counts = Arrays.stream(list.split(",")).mapToInt(v -> Integer.parseInt(v.strip())).toArray();
            if (counts.length == 0 || Arrays.stream(counts).anyMatch(n -> n < 1)) {
                throw new NumberFormatException();
            }
            return counts;
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--streams needs stream counts of at least 1, e.g. 1,4,16, got '" + list
                    + "'");
        }
    }

    /** A prompt of distinct-looking token ids per seed: prompts of different seeds share no prefix block. */
    private static int[] syntheticPrompt(Engine engine, int length, int seed) {
        int vocab = engine.tokenizer().vocabSize();
        int[] tokens = new int[length];
        long state = 0x9E3779B97F4A7C15L * (seed + 1);
        for (int i = 0; i < length; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            tokens[i] = (int) Math.floorMod(state >>> 33, (long) vocab);
        }
        return tokens;
    }

    private static String load() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", load);
    }

    /**
     * For each stream count: that many generations started at once, each of its own prompt, greedy to
     * {@code decode} tokens; prints tokens per second summed over streams (generated tokens over wall time) and
     * times to first token. The best of {@code runs} rounds, after one warm-up round.
     */
    private static void streamRuns(Engine engine, int[] streams, int prompt, int decode, int runs, PrintStream out) {
        out.printf(Locale.ROOT, "engine: %s, %s backend, context %d, KV cache %d positions, %d prompt + %d generated "
                        + "tokens per stream, draft %s%n", engine.modelName(), engine.backendName(),
                engine.config().contextLength(), engine.kvCacheTokens(), prompt, decode,
                engine.speculation().mode().wireName());
        int seed = 0;
        round(engine, 1, prompt, decode, seed++); // JIT warm-up
        for (int n : streams) {
            double best = 0;
            double[] ttft = null;
            for (int run = 0; run < runs; run++) {
                long t0 = System.nanoTime();
                List<GenerationResult> results = round(engine, n, prompt, decode, seed);
                seed += n;
                double seconds = (System.nanoTime() - t0) / 1e9;
                long tokens = results.stream().mapToLong(GenerationResult::completionTokens).sum();
                if (tokens / seconds > best) {
                    best = tokens / seconds;
                    ttft = results.stream().mapToDouble(GenerationResult::timeToFirstTokenMillis).sorted().toArray();
                }
            }
            out.printf(Locale.ROOT, "streams %d: %.1f tok/s summed (%.1f per stream), time to first token median "
                            + "%.1f ms, max %.1f ms (load average %s)%n", n, best, best / n, ttft[ttft.length / 2],
                    ttft[ttft.length - 1], load());
        }
    }

    /** One round: n generations at once, on their own threads, each with its own prompt. */
    private static List<GenerationResult> round(Engine engine, int n, int prompt, int decode, int seed) {
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int[] tokens = syntheticPrompt(engine, prompt, seed + i);
                futures.add(pool.submit(() -> engine.generate(tokens, SamplingParams.greedy(decode),
                        TokenListener.IGNORE)));
            }
            List<GenerationResult> results = new ArrayList<>();
            for (Future<GenerationResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Time to first token of a prompt computed from scratch against the same prompt plus a short question when its
     * first {@code prompt} tokens are cached (a second conversation with the same system prompt). Best of runs.
     */
    private static void prefixRuns(Engine engine, int prompt, int runs, PrintStream out) {
        double cold = Double.MAX_VALUE;
        double warm = Double.MAX_VALUE;
        long reusedBefore = engine.stats().reusedPromptTokens();
        int question = 8;
        for (int run = 0; run < runs; run++) {
            int[] system = syntheticPrompt(engine, prompt + question, 1_000_000 + run);
            int[] other = syntheticPrompt(engine, question, 2_000_000 + run);
            int[] second = Arrays.copyOf(system, prompt + question);
            System.arraycopy(other, 0, second, prompt, question);
            cold = Math.min(cold, engine.generate(system, SamplingParams.greedy(1), TokenListener.IGNORE)
                    .timeToFirstTokenMillis());
            warm = Math.min(warm, engine.generate(second, SamplingParams.greedy(1), TokenListener.IGNORE)
                    .timeToFirstTokenMillis());
        }
        long reused = (engine.stats().reusedPromptTokens() - reusedBefore) / runs;
        out.printf(Locale.ROOT, "time to first token, %d-token prompt: %.2f ms computed, %.2f ms with a cached prefix "
                        + "(%d tokens reused, %d computed) (load average %s)%n", prompt + question, cold, warm,
                reused, prompt + question - reused, load());
    }

    /** Story starts for the repetitive workload: what a TinyStories model continues readily. */
    private static final List<String> STARTS = List.of("Once upon a time, there was a little dog.",
            "Tom and Sue went to the park.", "Lily had a red ball. She", "The sun was hot and the bird sang.");

    /**
     * Greedy generations with and without drafts of prompts that quote the model's own output; prints acceptance
     * length and the decode speed-up (same tokens either way, so decode times compare directly), then the
     * relative cost of verification passes.
     */
    private static VerifyPasses.Shape speculationRuns(Engine engine, Speculation speculation, int decode, int runs,
            PrintStream out) {
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
        return new VerifyPasses.Shape(lastPrompt, k + 1, repetitions);
    }

    /** The cost of verifying k+1 positions in one pass relative to one decode step, for k = 1..K. */
    private static void printVerifyCost(VerifyPasses.Shape shape, long[] best, PrintStream out) {
        int k = shape.entries() - 1;
        StringBuilder line = new StringBuilder("verify cost (one pass of k+1 positions / one decode step, after "
                + shape.prefix() + " positions):");
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
