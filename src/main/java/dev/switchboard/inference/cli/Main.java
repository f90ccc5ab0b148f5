package dev.switchboard.inference.cli;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.backend.BackendKind;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.synthetic.SyntheticModels;
import dev.switchboard.inference.cpu.NativeKernels;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.hf.HfCheckpoint;
import dev.switchboard.inference.hf.HfConverter;
import dev.switchboard.inference.model.KvType;
import dev.switchboard.inference.model.LoadProgress;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.server.BatchOptions;
import dev.switchboard.inference.server.OpenAiServer;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.ChatMessage;
import dev.switchboard.inference.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The engine's command line: tokenize, generate, bench and serve. Run through {@code bin/engine}. */
public final class Main {
    static final String USAGE = """
            Usage: engine COMMAND [OPTIONS]

            Commands:
              tokenize --model MODEL TEXT
                  Print the token ids of TEXT (no BOS added; special tokens spelled out in TEXT are parsed).
              generate --model MODEL --prompt TEXT [--temperature T] [--top-k K] [--top-p P] [-n N] [--seed S]
                       [--chat] [--system TEXT]
                  Stream a continuation of TEXT to stdout; timings go to stderr. Defaults: temperature 0.8,
                  top-k 40, top-p 0.95, -n 256 tokens, a random seed. --temperature 0 is greedy.
                  --chat wraps TEXT as a user message in the Llama 3 chat template (optionally after a --system
                  message) and needs a model with a chat vocabulary.
              bench --model MODEL|synthetic:NAME [--type Q8_0] [--engine] [bench options]
                  Measure speed: the CPU backend's prefill/decode benchmark, or with --engine whole generations
                  through the engine. synthetic:NAME (e.g. synthetic:llama3-1b) makes a random-weight model of
                  that shape in the given tensor type. Run "engine bench --help" for its options.
              synth --shape NAME --type T [--vocab tokenizer.model] OUT.gguf
                  Write a random-weight model of a real shape (llama3-1b, llama3-8b, tiny, tiny-tied) as GGUF, every
                  matrix in type T (Q8_0, Q4_K, Q6_K, F16, ...) or llama.cpp's Q4_K_M mix: for comparing engines
                  on the same file (bench/vs-llamacpp.sh) without downloading weights. --vocab writes Meta's
                  Llama 3 tokenizer.model in as the vocabulary (llama3 shapes), so that the file takes chat
                  requests: its answers are noise, its speed is real.
              serve --model MODEL --port N [--host H] [--api-key K] [--data-dir DIR] [--batch-in-flight N]
                  Serve an OpenAI-compatible API: POST /v1/chat/completions, POST /v1/completions,
                  GET /v1/models, POST /tokenize, POST /detokenize, GET /health, GET /metrics (Prometheus
                  text). Host defaults to 127.0.0.1. With --api-key, requests (but /health) need
                  "Authorization: Bearer K". Concurrent requests are batched (continuous batching).
                  The Batch API (/v1/files, /v1/batches) keeps files and batches in --data-dir (default
                  ~/.switchboard/engine) and runs at most --batch-in-flight lines at once (default 8) at
                  batch priority.

              convert DIR OUT.gguf [--type T]
                  Write a Hugging Face checkpoint folder as a GGUF file llama.cpp-style readers accept, its
                  matrices in type T (default: as stored, e.g. BF16; or Q8_0, Q4_0, Q4_K, Q6_K, F16, F32).

            MODEL is a GGUF file or a Hugging Face checkpoint folder (config.json, *.safetensors with their index,
            tokenizer.json, optionally tokenizer_config.json and generation_config.json; Llama only).

            Options for every command that loads a model:
              --ctx N       context length (default: the model's, at most 8192; at most the model's
                            max_position_embeddings / llama.context_length)
              --weights T   quantize a checkpoint folder's matrices to T at load (e.g. Q8_0; default: as stored)
              --kv-type K   KV cache element type of the CPU backend: f32, bf16 or q8 (default: f32)
              --threads N   compute threads (default: all processors)
              --backend B   compute backend: cpu, cuda or auto (default: cpu)
              --kernels K   CPU matrix kernels: java, native (the project's C kernels, built where a C compiler
                            is) or auto (default: native where available, else java)
              --prefetch N  bytes ahead of the weights they read at which the native kernels request them
                            from memory, 0 for none (default: 2048 on Intel CPUs, 0 on others)
              --type T      weight type of a synthetic:NAME model (default: Q8_0)

            Batching (serve, bench --engine):
              --kv-tokens N        KV cache positions shared by all running requests (default: one context);
                                   a request waits in a FIFO queue until its prompt + max tokens fit
              --prefill-chunk N    prompt positions per scheduler step (default: 256): long prompts are computed
                                   in chunks between the decode steps of running streams
              --no-prefix-cache    do not share KV blocks of equal prompt prefixes between requests

            Speculative decoding (generate, bench --engine, serve):
              --draft none|prompt|suffix|FILE   draft tokens from n-gram matches in the sequence (prompt), from
                            a suffix index (suffix) or with a smaller model of the same tokenizer (a GGUF FILE);
                            the target model verifies each draft in one forward pass and the output is unchanged
                            (default: none)
              --draft-tokens K             the most tokens drafted per step (default: 8, at most 32)

            Exit status: 0 on success, 1 on errors, 2 on usage errors.
            """;

    static final Set<String> MODEL_OPTIONS = Set.of("--model", "--ctx", "--threads", "--backend", "--type", "--weights",
            "--kv-type", "--kernels", "--prefetch");
    static final Set<String> DRAFT_OPTIONS = Set.of("--draft", "--draft-tokens");
    /** Continuous batching (serve, bench --engine). */
    static final Set<String> BATCH_OPTIONS = Set.of("--kv-tokens", "--prefill-chunk");
    static final String NO_PREFIX_CACHE = "--no-prefix-cache";

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int status;
        try {
            status = run(Arrays.asList(args), out);
        } catch (Args.UsageException e) {
            System.err.println("engine: " + e.getMessage());
            System.err.println("Run 'engine --help' for usage.");
            status = 2;
        } catch (RuntimeException e) {
            System.err.println("engine: " + e.getMessage());
            status = 1;
        }
        out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(List<String> args, PrintStream out) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")
                || args.getFirst().equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        if (rest.contains("--help") && !args.getFirst().equals("bench")) {
            out.print(USAGE);
            return 0;
        }
        return switch (args.getFirst()) {
            case "tokenize" -> tokenize(rest, out);
            case "generate" -> generate(rest, out);
            case "bench" -> bench(rest, out);
            case "serve" -> serve(rest);
            case "convert" -> convert(rest, out);
            case "synth" -> synth(rest, out);
            default -> throw new Args.UsageException("unknown command '" + args.getFirst() + "'");
        };
    }

    private static int tokenize(List<String> list, PrintStream out) {
        Args args = new Args(list, MODEL_OPTIONS, Set.of());
        if (args.positional().size() != 1) {
            throw new Args.UsageException("tokenize needs exactly one TEXT argument (quote it)");
        }
        try (Engine engine = load(args, false)) {
            int[] ids = engine.tokenizer().encode(args.positional().getFirst(), true);
            StringBuilder line = new StringBuilder();
            for (int id : ids) {
                line.append(line.isEmpty() ? "" : " ").append(id);
            }
            out.println(line);
        }
        return 0;
    }

    private static int generate(List<String> list, PrintStream out) {
        Args args = new Args(list, union(union(MODEL_OPTIONS, DRAFT_OPTIONS), Set.of("--prompt", "--temperature",
                "--top-k", "--top-p", "-n", "--seed", "--system")), Set.of("--chat"));
        noPositional(args, "generate");
        String prompt = args.required("--prompt");
        SamplingParams params;
        try {
            params = new SamplingParams(args.number("--temperature", 0.8f), args.integer("--top-k", 40),
                    args.number("--top-p", 0.95f), args.longValue("--seed"), args.integer("-n", 256), List.of());
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        try (Engine engine = load(args, true)) {
            int[] tokens;
            if (args.flag("--chat")) {
                String system = args.string("--system", null);
                List<ChatMessage> messages = system == null
                        ? List.of(new ChatMessage("user", prompt))
                        : List.of(new ChatMessage("system", system), new ChatMessage("user", prompt));
                tokens = engine.encodeChat(messages);
            } else if (args.flag("--system")) {
                throw new Args.UsageException("--system needs --chat");
            } else {
                tokens = engine.encodePrompt(prompt);
            }
            if (!args.flag("--chat")) {
                out.print(prompt);
            }
            GenerationResult r = engine.generate(tokens, params, delta -> {
                out.print(delta);
                out.flush();
                return !out.checkError(); // stdout closed (e.g. piped into head): stop generating
            });
            out.println();
            System.err.printf(Locale.ROOT, "[%d prompt tokens, %d generated, finish: %s, time to first token "
                            + "%.1f ms, decode %.2f tok/s%s]%n", r.promptTokens(), r.completionTokens(),
                    r.finishReason().wireName(), r.timeToFirstTokenMillis(), r.decodeTokensPerSecond(),
                    engine.speculation().enabled() ? String.format(Locale.ROOT, ", %d drafted, %d accepted, "
                            + "acceptance length %.2f", r.draftedTokens(), r.acceptedTokens(), r.acceptanceLength())
                            : "");
        }
        return 0;
    }

    private static int convert(List<String> list, PrintStream out) {
        Args args = new Args(list, Set.of("--type"), Set.of());
        if (args.positional().size() != 2) {
            throw new Args.UsageException("convert needs a checkpoint folder and an output file: convert DIR OUT.gguf");
        }
        Path dir = Path.of(args.positional().get(0)), target = Path.of(args.positional().get(1));
        if (!HfCheckpoint.isCheckpoint(dir)) {
            throw new Args.UsageException(dir + " is not a folder (convert reads Hugging Face checkpoint folders)");
        }
        GgmlType type = args.flag("--type") ? weightType(args.string("--type", null)) : null;
        long t0 = System.nanoTime();
        int tensors = HfConverter.convert(dir, target, type, new ConsoleProgress());
        out.printf(Locale.ROOT, "wrote %s: %d tensors, %.1f MiB in %.1f s%n", target, tensors,
                target.toFile().length() / 1048576.0, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static int bench(List<String> list, PrintStream out) {
        BenchLauncher.run(list, out);
        return 0;
    }

    private static int synth(List<String> list, PrintStream out) {
        Args args = new Args(list, Set.of("--shape", "--type", "--vocab"), Set.of());
        if (args.positional().size() != 1) {
            throw new Args.UsageException("synth needs exactly one OUT.gguf argument");
        }
        String vocab = args.string("--vocab", null);
        String shape = args.string("--shape", null), type = args.string("--type", "Q8_0");
        if (shape == null) {
            throw new Args.UsageException("option --shape is required (" + String.join(", ", SyntheticModels.names()) + ")");
        }
        SyntheticModels.TensorTypes types;
        try {
            types = SyntheticModels.types(type);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--type " + type + " is no weight type (e.g. Q8_0, Q4_K, Q6_K, Q4_K_M)");
        }
        Path target = Path.of(args.positional().getFirst());
        try {
            SyntheticModels.write(SyntheticModels.shape(shape), types,
                    vocab == null ? Map.of() : Tokenizers.ggufVocabulary(Path.of(vocab)), 42, target);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
        out.println("wrote " + target);
        return 0;
    }

    private static int serve(List<String> list) {
        Args args = new Args(list, union(union(MODEL_OPTIONS, DRAFT_OPTIONS), union(BATCH_OPTIONS,
                Set.of("--port", "--host", "--api-key", "--data-dir", "--batch-in-flight"))), Set.of(NO_PREFIX_CACHE));
        noPositional(args, "serve");
        int port = args.integer("--port", -1);
        if (port < 0 || port > 65535) {
            throw new Args.UsageException(port == -1 ? "option --port is required" : "--port must be 0..65535");
        }
        int batchInFlight = args.integer("--batch-in-flight", BatchOptions.DEFAULT_LINES_IN_FLIGHT);
        if (batchInFlight < 1) {
            throw new Args.UsageException("--batch-in-flight must be at least 1");
        }
        BatchOptions batchOptions = BatchOptions.in(Path.of(args.string("--data-dir",
                BatchOptions.defaultDataDir().toString()))).withLinesInFlight(batchInFlight);
        Engine engine = load(args, true);
        OpenAiServer server = OpenAiServer.start(engine, args.string("--host", "127.0.0.1"), port,
                args.string("--api-key", null), batchOptions);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            engine.close();
            stopped.countDown();
        }));
        System.err.println("serving '" + engine.modelName() + "' (" + engine.backendName() + ", context "
                + engine.config().contextLength() + ") at " + server.baseUri());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static Engine load(Args args, boolean showProgress) {
        LoadProgress progress = showProgress ? new ConsoleProgress() : LoadProgress.NONE;
        return Engine.load(engineOptions(args), progress);
    }

    /** Applies --kernels and --prefetch to the CPU backends loaded from now on. */
    static void useKernels(Args args) {
        try {
            NativeKernels.use(NativeKernels.Mode.parse(args.string("--kernels", "auto")));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--" + e.getMessage());
        }
        if (args.string("--prefetch", null) != null) {
            int prefetch = args.integer("--prefetch", 0);
            if (prefetch < 0) {
                throw new Args.UsageException("--prefetch needs 0 or more bytes, got " + prefetch);
            }
            if (!NativeKernels.available() || NativeKernels.mode() == NativeKernels.Mode.JAVA) {
                throw new Args.UsageException("--prefetch sets the native kernels' distance, and they do not run here"
                        + (NativeKernels.available() ? " (--kernels java)" : ": " + NativeKernels.unavailableReason()));
            }
            NativeKernels.prefetch(prefetch);
        }
    }

    /** The options of every command that loads a model; usage errors name the option. */
    static EngineOptions engineOptions(Args args) {
        useKernels(args);
        try {
            return new EngineOptions(args.required("--model"), args.integer("--ctx", 0), args.integer("--threads", 0),
                    BackendKind.parse(args.string("--backend", "cpu")), args.integer("--prefill-chunk", EngineOptions.DEFAULT_PREFILL_CHUNK),
                    weightType(args.string("--type", "Q8_0")), speculation(args), args.integer("--kv-tokens", 0),
                    !args.flag(NO_PREFIX_CACHE), draftModel(args),
                    args.flag("--weights") ? weightType("--weights", args.string("--weights", null)) : null,
                    KvType.parse(args.string("--kv-type", "f32")));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    /**
     * The --draft and --draft-tokens options; usage errors name the option. A --draft that names no mode is the
     * file of a draft model ({@link #draftModel}).
     */
    static Speculation speculation(Args args) {
        DraftMode mode = draftModel(args) != null ? DraftMode.MODEL : DraftMode.parse(args.string("--draft", "none"));
        try {
            return new Speculation(mode, args.integer("--draft-tokens", Speculation.DEFAULT_TOKENS));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--draft-tokens: " + e.getMessage());
        }
    }

    /** The draft model file of --draft FILE, or null when --draft names a mode (or is absent). */
    static String draftModel(Args args) {
        String draft = args.string("--draft", "none");
        boolean isMode = Arrays.stream(DraftMode.values()).anyMatch(m -> m != DraftMode.MODEL
                && m.wireName().equals(draft));
        return isMode ? null : draft;
    }

    static GgmlType weightType(String name) {
        return weightType("--type", name);
    }

    static GgmlType weightType(String option, String name) {
        try {
            return GgmlType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("unknown " + option + " '" + name + "' (one of " + Arrays.toString(GgmlType.values())
                    + ")");
        }
    }

    private static void noPositional(Args args, String command) {
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException(command + " takes no argument '" + args.positional().getFirst()
                    + "' (options start with --)");
        }
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return s;
    }

    /** Draws each loading stage's progress as a bar on stderr, redrawn at most once per 5%. */
    private static final class ConsoleProgress implements LoadProgress {
        private static final int WIDTH = 20;
        private String stage;
        private long lastStep = -1;

        @Override
        public void update(String stage, long done, long total) {
            if (!stage.equals(this.stage)) {
                this.stage = stage;
                lastStep = -1;
            }
            long step = total <= 0 ? WIDTH : done * WIDTH / total;
            if (step != lastStep) {
                lastStep = step;
                System.err.printf(Locale.ROOT, "\r%-8s [%s%s] %3d%%%s", stage, "#".repeat((int) step),
                        " ".repeat(WIDTH - (int) step), step * 100 / WIDTH, step == WIDTH ? "\n" : "");
            }
        }
    }
}
