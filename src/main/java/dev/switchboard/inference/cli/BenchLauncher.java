package dev.switchboard.inference.cli;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.EngineOptions;
import dev.switchboard.inference.GenerationResult;
import dev.switchboard.inference.TokenListener;
import dev.switchboard.inference.cpu.CpuBench;
import dev.switchboard.inference.gguf.GgmlType;
import dev.switchboard.inference.sampling.SamplingParams;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code engine bench}: the CPU backend's own benchmark (prefill, decode, memory bandwidth), or with
 * {@code --engine} whole generations through {@link Engine} (sampling, detokenizing and the loop included).
 */
final class BenchLauncher {
    static final String USAGE = """
            Usage: engine bench --model FILE|synthetic:NAME [--type Q8_0] [--threads N] [--prompt 128] [--decode 32]
                   engine bench --model FILE|synthetic:NAME --engine [--prompt 128] [--decode 128] [--runs 3] ...
              Without --engine: the CPU backend's benchmark: prefill and decode tokens per second and the memory
              bandwidth decode implies. With --engine: greedy generations through the engine facade; prints time
              to first token and decode tokens per second of each run (the first run includes JIT warm-up).
              --type is the weight type of a synthetic model; --ctx sets the engine's context length.
            """;

    private BenchLauncher() {
    }

    static void run(List<String> list, PrintStream out) {
        if (list.contains("--help")) {
            out.print(USAGE);
            return;
        }
        Args args = new Args(list, Set.of("--model", "--type", "--threads", "--prompt", "--decode", "--runs", "--ctx"),
                Set.of("--engine"));
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
        if (!args.flag("--engine")) {
            CpuBench.run(model, type, threads, prompt, decode, out);
            return;
        }
        int runs = args.integer("--runs", 3);
        EngineOptions options = new EngineOptions(model, args.integer("--ctx", 0), threads, "cpu",
                EngineOptions.DEFAULT_PREFILL_CHUNK, type);
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
        }
    }
}
