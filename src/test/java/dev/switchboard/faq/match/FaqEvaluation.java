package dev.switchboard.faq.match;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Measures FAQ matching on the labelled set in src/test/resources/faq-eval: an FAQ of 32 entries and two splits of
 * customer messages (TUNING, used to choose rules and thresholds, and HELD-OUT, used only to report). Run
 * {@code main} for the full table; {@code --tuning-only} hides the held-out rows and {@code --errors} lists the
 * TUNING split's mistakes.
 */
public final class FaqEvaluation {

    static final String NONE = "none";
    static final String DIR = "/faq-eval/";

    /** One labelled customer message with its embedding and how long computing it took. */
    record Example(String expected, boolean wantsHuman, String category, String text, float[] embedding,
                   long embedNanos) {}

    /** The figures for one matcher on one split. */
    record Metrics(int messages, int answerable, int autoAnswers, int right, int wrongOnAnswerable,
                   int unanswerable, int answeredUnanswerable, int humanTruePositives, int humanPredicted,
                   int humanExpected) {

        double precision() {
            return autoAnswers == 0 ? 1 : (double) right / autoAnswers;
        }

        double recall() {
            return (double) right / answerable;
        }

        double wrongAutoAnswerRate() {
            return (double) answeredUnanswerable / unanswerable;
        }

        double humanPrecision() {
            return humanPredicted == 0 ? 1 : (double) humanTruePositives / humanPredicted;
        }

        double humanRecall() {
            return humanExpected == 0 ? 1 : (double) humanTruePositives / humanExpected;
        }
    }

    /** What a decision procedure says about one message: the entry to auto-answer (or null), and wantsHuman. */
    record Verdict(String answerId, boolean wantsHuman) {}

    private final TextEmbedder embedder;
    private final List<FaqCandidate> faq;
    private final Map<String, List<Example>> splits;

    FaqEvaluation(TextEmbedder embedder) {
        this.embedder = embedder;
        this.faq = loadFaq(embedder);
        this.splits = Map.of("tuning", loadSplit("tuning.tsv"), "held-out", loadSplit("heldout.tsv"));
    }

    List<FaqCandidate> faq() {
        return faq;
    }

    List<Example> split(String name) {
        return splits.get(name);
    }

    private static InputStream resource(String name) {
        InputStream in = FaqEvaluation.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IllegalStateException("test resource " + DIR + name + " is missing");
        }
        return in;
    }

    private static List<FaqCandidate> loadFaq(TextEmbedder embedder) {
        ObjectMapper json = new ObjectMapper();
        List<FaqCandidate> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines("faq.jsonl")) {
            lineNo++;
            try {
                JsonNode n = json.readTree(line);
                List<String> examples = new ArrayList<>();
                n.path("examples").forEach(e -> examples.add(e.asText()));
                String question = n.get("question").asText();
                List<float[]> embeddings = new ArrayList<>();
                embeddings.add(embedder.embed(question));
                examples.forEach(e -> embeddings.add(embedder.embed(e)));
                out.add(new FaqCandidate(n.get("id").asText(), question, n.get("answer").asText(), examples,
                        embeddings));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(DIR + "faq.jsonl line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private List<Example> loadSplit(String file) {
        var ids = faq.stream().map(FaqCandidate::id).collect(Collectors.toSet());
        List<Example> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines(file)) {
            lineNo++;
            if (line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 4 || !(f[1].equals("0") || f[1].equals("1"))
                    || !(f[0].equals(NONE) || ids.contains(f[0]))) {
                throw new IllegalStateException(DIR + file + " line " + lineNo
                        + ": expected 'entry-id|none<TAB>0|1<TAB>category<TAB>text' with a known entry id");
            }
            long start = System.nanoTime();
            float[] e = embedder.embed(f[3]);
            out.add(new Example(f[0], f[1].equals("1"), f[2], f[3], e, System.nanoTime() - start));
        }
        return out;
    }

    private static List<String> lines(String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Metrics evaluate(List<Example> examples, BiFunction<String, float[], Verdict> decide) {
        int answerable = 0, auto = 0, right = 0, wrongAnswerable = 0, unanswerable = 0, answeredUnanswerable = 0;
        int humanTp = 0, humanPred = 0, humanExp = 0;
        for (Example ex : examples) {
            Verdict v = decide.apply(ex.text(), ex.embedding());
            boolean shouldAnswer = !ex.expected().equals(NONE);
            if (shouldAnswer) {
                answerable++;
            } else {
                unanswerable++;
            }
            if (v.answerId() != null) {
                auto++;
                if (v.answerId().equals(ex.expected())) {
                    right++;
                } else if (shouldAnswer) {
                    wrongAnswerable++;
                } else {
                    answeredUnanswerable++;
                }
            }
            if (v.wantsHuman()) {
                humanPred++;
            }
            if (ex.wantsHuman()) {
                humanExp++;
                if (v.wantsHuman()) {
                    humanTp++;
                }
            }
        }
        return new Metrics(examples.size(), answerable, auto, right, wrongAnswerable, unanswerable,
                answeredUnanswerable, humanTp, humanPred, humanExp);
    }

    BiFunction<String, float[], Verdict> hybrid(HybridFaqMatcher matcher) {
        return (text, e) -> {
            MatchResult r = matcher.match(text, e, faq);
            return new Verdict(r.answer() == null ? null : r.answer().id(), r.wantsHuman());
        };
    }

    /** Plain cosine to the canonical question's embedding only, answered above {@code threshold}. */
    BiFunction<String, float[], Verdict> cosineBaseline(double threshold) {
        return (text, e) -> {
            FaqCandidate best = null;
            double bestCos = Double.NEGATIVE_INFINITY;
            for (FaqCandidate c : faq) {
                double cos = Vectors.cosine(e, c.embeddings().getFirst());
                if (cos > bestCos) {
                    bestCos = cos;
                    best = c;
                }
            }
            return new Verdict(bestCos >= threshold && best != null ? best.id() : null, false);
        };
    }

    /** The lowest baseline threshold (step 0.01) keeping wrong auto-answers on the split at or below {@code maxRate}. */
    double baselineThreshold(List<Example> examples, double maxRate) {
        for (int t = 0; t <= 100; t++) {
            double threshold = t / 100.0;
            if (evaluate(examples, cosineBaseline(threshold)).wrongAutoAnswerRate() <= maxRate) {
                return threshold;
            }
        }
        return 1.0;
    }

    /** How sameQuestion groups the labelled messages of both splits: pairs it joins, by whether the labels agree. */
    record CachePairs(int joinedSameEntry, int sameEntryPairs, int joinedDifferentEntry, int differentEntryPairs) {}

    CachePairs sameQuestionPairs(SameQuestion same) {
        List<Example> all = new ArrayList<>(split("tuning"));
        all.addAll(split("held-out"));
        int joinedSame = 0, samePairs = 0, joinedDifferent = 0, differentPairs = 0;
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Example a = all.get(i);
                Example b = all.get(j);
                boolean joined = same.sameQuestion(a.text(), a.embedding(), b.text(), b.embedding());
                // "none" messages ask all sorts of things: only pairs answered by one entry count as the same
                if (a.expected().equals(b.expected()) && !a.expected().equals(NONE)) {
                    samePairs++;
                    joinedSame += joined ? 1 : 0;
                } else {
                    differentPairs++;
                    joinedDifferent += joined ? 1 : 0;
                }
            }
        }
        return new CachePairs(joinedSame, samePairs, joinedDifferent, differentPairs);
    }

    /** Embedding latency in milliseconds at quantile {@code q} over both splits. */
    double embedMillis(double q) {
        long[] nanos = splits.values().stream().flatMap(List::stream).mapToLong(Example::embedNanos).sorted()
                .toArray();
        return nanos[Math.min(nanos.length - 1, (int) Math.floor(q * nanos.length))] / 1e6;
    }

    static String header() {
        return String.format(Locale.ROOT, "%-9s %-34s %5s %9s %7s %11s %8s %8s",
                "split", "method", "auto", "precision", "recall", "wrong-auto", "human-P", "human-R");
    }

    static String row(String split, String method, Metrics m) {
        return String.format(Locale.ROOT, "%-9s %-34s %5d %9.3f %7.3f %5.3f (%2d) %8.3f %8.3f",
                split, method, m.autoAnswers(), m.precision(), m.recall(), m.wrongAutoAnswerRate(),
                m.answeredUnanswerable() + m.wrongOnAnswerable(), m.humanPrecision(), m.humanRecall());
    }

    /** The report printed by main and by the evaluation test, for the named splits. */
    String report(HybridFaqMatcher matcher, List<String> splitNames) {
        StringBuilder sb = new StringBuilder();
        double baseline = baselineThreshold(split("tuning"), 0.02);
        sb.append(String.format(Locale.ROOT, "FAQ entries: %d; messages: tuning %d, held-out %d; model %s%n",
                faq.size(), split("tuning").size(), split("held-out").size(), embedder.modelName()));
        sb.append("wrong-auto = auto-answers on should-not-answer messages / those messages "
                + "(in brackets: all wrong auto-answers)\n");
        sb.append(header()).append('\n');
        for (String s : splitNames) {
            sb.append(row(s, String.format(Locale.ROOT, "cosine>=%.2f (fit on tuning)", baseline),
                    evaluate(split(s), cosineBaseline(baseline)))).append('\n');
            sb.append(row(s, String.format(Locale.ROOT, "cosine>=%.2f (oracle for split)",
                            baselineThreshold(split(s), 0.02)),
                    evaluate(split(s), cosineBaseline(baselineThreshold(split(s), 0.02))))).append('\n');
            sb.append(row(s, "hybrid (defaults)", evaluate(split(s), hybrid(matcher)))).append('\n');
        }
        CachePairs pairs = sameQuestionPairs(matcher);
        sb.append(String.format(Locale.ROOT, "sameQuestion (answer cache): joins %d of %d pairs answered by one entry, "
                        + "%d of %d other pairs%n", pairs.joinedSameEntry(), pairs.sameEntryPairs(),
                pairs.joinedDifferentEntry(), pairs.differentEntryPairs()));
        sb.append(String.format(Locale.ROOT, "embedding latency per message: p50 %.1f ms, p99 %.1f ms (%s cores)%n",
                embedMillis(0.5), embedMillis(0.99), Runtime.getRuntime().availableProcessors()));
        return sb.toString();
    }

    /** The TUNING split's mistakes with the scores behind them (never the HELD-OUT split's). */
    String tuningErrors(HybridFaqMatcher matcher) {
        StringBuilder sb = new StringBuilder();
        for (Example ex : split("tuning")) {
            var a = matcher.analyse(ex.text(), ex.embedding(), faq);
            boolean auto = matcher.autoAnswer(a);
            String got = auto ? a.ranked().getFirst().entry().id() : NONE;
            if (!got.equals(ex.expected())) {
                var b = a.ranked().getFirst();
                sb.append(String.format(Locale.ROOT, "%-8s want=%-16s got=%-16s top=%-16s sem=%.3f lex=%.3f "
                                + "comb=%.3f margin=%.3f flags=%s | %s%n", ex.category(), ex.expected(), got,
                        b.entry().id(), b.semantic(), b.lexical(), b.combined(), a.marginOfBest(),
                        flags(a.flags()), ex.text()));
            }
        }
        return sb.toString();
    }

    private static String flags(MessageGuards.Flags f) {
        List<String> on = new ArrayList<>();
        if (f.wantsHuman()) on.add("human");
        if (f.injection()) on.add("injection");
        if (f.accountSpecific()) on.add("account");
        if (f.smallTalk()) on.add("smalltalk");
        if (f.multiQuestion()) on.add("multi");
        if (f.nonEnglish()) on.add("foreign");
        return on.isEmpty() ? "-" : String.join(",", on);
    }

    public static void main(String[] args) {
        FaqEvaluation eval = new FaqEvaluation(new MiniLmEmbedder());
        HybridFaqMatcher matcher = new HybridFaqMatcher();
        // while tuning, --tuning-only keeps the held-out figures out of sight
        boolean tuningOnly = Arrays.asList(args).contains("--tuning-only");
        System.out.print(eval.report(matcher, tuningOnly ? List.of("tuning") : List.of("tuning", "held-out")));
        if (Arrays.asList(args).contains("--errors")) {
            System.out.print(eval.tuningErrors(matcher));
        }
    }
}
