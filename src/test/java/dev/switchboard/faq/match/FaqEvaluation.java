package dev.switchboard.faq.match;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Measures FAQ matching on labelled sets in the format bench/faq-eval.sh reads (docs/faq-matching.md): each file
 * holds one business's FAQ and customer messages labelled with the entry that answers them, or null. TUNING files
 * are for choosing rules and thresholds; HELD-OUT files were written before tuning and are only reported on. Run
 * {@code main} for the TUNING table ({@code --errors} lists its mistakes); {@code --held-out} adds the HELD-OUT
 * table, which is meant to be looked at rarely.
 */
public final class FaqEvaluation {

    static final String DIR = "/faq-eval/";
    static final List<String> TUNING = List.of("tuning-ledgerly.json", "tuning-munchbox.json", "tuning-shop.json");
    static final List<String> HELD_OUT = List.of("heldout-ledgerly.json", "heldout-munchbox.json");

    /** One labelled customer message with its embedding and how long computing it took. */
    record Example(String expected, boolean wantsHuman, String category, String language, String text,
                   float[] embedding, long embedNanos) {

        boolean answerable() {
            return expected != null;
        }
    }

    /** One file: a business's FAQ and its labelled messages. */
    record EvalSet(String file, List<FaqCandidate> faq, List<Example> messages) {}

    /** Counts for one slice of messages (a category, a language, or all). */
    static final class Tally {
        int messages, answerable, right, wrongOnAnswerable, unanswerable, autoAnsweredUnanswerable;
        /** Answerable but not answered, with the right entry among those offered; must-not-answer shown offers. */
        int offeredRight, offeredUnanswerable;

        /** Answered from the right entry at once, or after the customer picks it from the offered entries. */
        double reach() {
            return answerable == 0 ? Double.NaN : (double) (right + offeredRight) / answerable;
        }

        double recall() {
            return answerable == 0 ? Double.NaN : (double) right / answerable;
        }

        double falseAutoRate() {
            return unanswerable == 0 ? Double.NaN : (double) autoAnsweredUnanswerable / unanswerable;
        }

        int autoAnswers() {
            return right + wrongOnAnswerable + autoAnsweredUnanswerable;
        }

        double precision() {
            return autoAnswers() == 0 ? 1 : (double) right / autoAnswers();
        }
    }

    /** The figures for one matcher on some files: all messages, and per category and per language. */
    record Metrics(Tally all, Map<String, Tally> byCategory, Map<String, Tally> byLanguage, int humanExpected,
                   int humanRecognised, int humanPredicted) {

        double recall() {
            return all.recall();
        }

        double falseAutoRate() {
            return all.falseAutoRate();
        }

        double precision() {
            return all.precision();
        }
    }

    /** What a decision procedure says about one message: the entry to auto-answer (or null), and wantsHuman. */
    record Verdict(String answerId, boolean wantsHuman, List<String> offers) {

        Verdict(String answerId, boolean wantsHuman) {
            this(answerId, wantsHuman, List.of());
        }
    }

    private final TextEmbedder embedder;
    private final Map<String, EvalSet> sets = new LinkedHashMap<>();

    FaqEvaluation(TextEmbedder embedder) {
        this.embedder = embedder;
    }

    /** The named resource files, loaded and embedded once. */
    List<EvalSet> sets(List<String> files) {
        List<EvalSet> out = new ArrayList<>();
        for (String f : files) {
            out.add(sets.computeIfAbsent(f, this::load));
        }
        return out;
    }

    private EvalSet load(String file) {
        JsonNode root;
        try (InputStream in = FaqEvaluation.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + DIR + file + " is missing");
            }
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(DIR + file + ": not valid JSON: " + e.getMessage(), e);
        }
        List<FaqCandidate> faq = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        JsonNode entries = root.path("faq");
        for (int i = 0; i < entries.size(); i++) {
            JsonNode n = entries.get(i);
            String where = file + ": faq[" + i + "]";
            String id = text(n, "id", where);
            String question = text(n, "question", where);
            String answer = text(n, "answer", where);
            List<String> variants = new ArrayList<>();
            n.path("variants").forEach(v -> variants.add(v.asText()));
            List<float[]> embeddings = new ArrayList<>();
            embeddings.add(embedder.embed(question));
            variants.forEach(v -> embeddings.add(embedder.embed(v)));
            ids.add(id);
            faq.add(new FaqCandidate(id, question, answer, variants, embeddings,
                    n.path("language").asText(FaqCandidate.DEFAULT_LANGUAGE), embedder.embed(answer)));
        }
        List<Example> messages = new ArrayList<>();
        JsonNode list = root.path("messages");
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            String where = file + ": messages[" + i + "]";
            String text = text(n, "text", where);
            String expected = n.path("expected").isNull() || n.path("expected").isMissingNode() ? null
                    : n.path("expected").asText();
            if (expected != null && !ids.contains(expected)) {
                throw new IllegalStateException(where + ".expected: no FAQ entry with id '" + expected + "'");
            }
            long start = System.nanoTime();
            float[] e = embedder.embed(text);
            messages.add(new Example(expected, n.path("wantsHuman").asBoolean(false), text(n, "category", where),
                    n.path("language").asText("en"), text, e, System.nanoTime() - start));
        }
        if (faq.isEmpty() || messages.isEmpty()) {
            throw new IllegalStateException(file + ": needs a non-empty 'faq' and 'messages'");
        }
        return new EvalSet(file, faq, messages);
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.path(field);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalStateException(where + "." + field + " is missing or not a text");
        }
        return v.asText();
    }

    Metrics evaluate(List<EvalSet> files, BiFunction<EvalSet, Example, Verdict> decide) {
        Tally all = new Tally();
        Map<String, Tally> byCategory = new TreeMap<>();
        Map<String, Tally> byLanguage = new TreeMap<>();
        int humanExpected = 0, humanRecognised = 0, humanPredicted = 0;
        for (EvalSet set : files) {
            for (Example ex : set.messages()) {
                Verdict v = decide.apply(set, ex);
                for (Tally t : List.of(all, byCategory.computeIfAbsent(ex.category(), k -> new Tally()),
                        byLanguage.computeIfAbsent(ex.language(), k -> new Tally()))) {
                    count(t, ex, v);
                }
                humanPredicted += v.wantsHuman() ? 1 : 0;
                if (ex.wantsHuman()) {
                    humanExpected++;
                    humanRecognised += v.wantsHuman() ? 1 : 0;
                }
            }
        }
        return new Metrics(all, byCategory, byLanguage, humanExpected, humanRecognised, humanPredicted);
    }

    private static void count(Tally t, Example ex, Verdict v) {
        t.messages++;
        if (ex.answerable()) {
            t.answerable++;
            if (v.answerId() != null) {
                if (v.answerId().equals(ex.expected())) {
                    t.right++;
                } else {
                    t.wrongOnAnswerable++;
                }
            } else if (v.offers().contains(ex.expected())) {
                t.offeredRight++;
            }
        } else {
            t.unanswerable++;
            if (v.answerId() != null) {
                t.autoAnsweredUnanswerable++;
            } else if (!v.offers().isEmpty()) {
                t.offeredUnanswerable++;
            }
        }
    }

    static BiFunction<EvalSet, Example, Verdict> hybrid(HybridFaqMatcher matcher) {
        return (set, ex) -> {
            MatchResult r = matcher.match(ex.text(), ex.embedding(), set.faq());
            return new Verdict(r.answer() == null ? null : r.answer().id(), r.wantsHuman(),
                    r.offers().stream().map(FaqCandidate::id).toList());
        };
    }

    /** The report printed by main and by the evaluation test. */
    static String report(String title, Metrics m) {
        StringBuilder sb = new StringBuilder(title).append('\n');
        sb.append(String.format(Locale.ROOT, "  %-12s %5s %5s %6s %7s %6s %9s %10s %7s %11s %8s%n", "slice", "msgs",
                "answ", "right", "recall", "wrong", "must-not", "false-auto", "picked", "with-picks", "offered"));
        sb.append(line("ALL", m.all()));
        m.byCategory().forEach((k, t) -> sb.append(line("cat " + k, t)));
        m.byLanguage().forEach((k, t) -> sb.append(line("lang " + k, t)));
        sb.append(String.format(Locale.ROOT, "  precision %.3f; wants-human recognised %d of %d (%d flagged)%n",
                m.precision(), m.humanRecognised(), m.humanExpected(), m.humanPredicted()));
        return sb.toString();
    }

    private static String line(String slice, Tally t) {
        return String.format(Locale.ROOT, "  %-12s %5d %5d %6d %7s %6d %9d %10s %7d %11s %8d%n", slice, t.messages,
                t.answerable, t.right, pct(t.recall()), t.wrongOnAnswerable, t.unanswerable, pct(t.falseAutoRate()),
                t.offeredRight, pct(t.reach()), t.offeredUnanswerable);
    }

    private static String pct(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    /** The TUNING files' mistakes with the scores behind them (never the HELD-OUT files'). */
    String tuningErrors(HybridFaqMatcher matcher) {
        StringBuilder sb = new StringBuilder();
        for (EvalSet set : sets(TUNING)) {
            for (Example ex : set.messages()) {
                var a = matcher.analyse(ex.text(), ex.embedding(), set.faq());
                String got = matcher.autoAnswer(a) ? a.ranked().getFirst().entry().id() : null;
                if (got == null ? ex.expected() != null : !got.equals(ex.expected())) {
                    var b = a.ranked().getFirst();
                    sb.append(String.format(Locale.ROOT, "%-10s want=%-16s got=%-16s top=%-16s sem=%.3f lex=%.3f "
                                    + "ans=%.3f comb=%.3f margin=%.3f mis=%s flags=%s | %s%n", ex.category(),
                            ex.expected(), got, b.entry().id(), b.semantic(), b.lexical(), b.answerSemantic(),
                            b.combined(), a.marginOfBest(), b.mismatched() ? "y" : "n", a.flags(), ex.text()));
                }
            }
        }
        return sb.toString();
    }

    /**
     * One line per TUNING message for fitting weights offline: whether the top candidate is right (1), wrong for
     * an answerable message (2) or the message must not be answered (0), whether a guard blocks it, then the top
     * candidate's signals and the margin of its cosine over the runner-up's.
     */
    String tuningFeatures(HybridFaqMatcher matcher) {
        StringBuilder sb = new StringBuilder();
        for (EvalSet set : sets(TUNING)) {
            for (Example ex : set.messages()) {
                var a = matcher.analyse(ex.text(), ex.embedding(), set.faq());
                var b = a.ranked().getFirst();
                double second = a.ranked().stream().skip(1).mapToDouble(HybridFaqMatcher.Scores::semantic).max()
                        .orElse(0);
                int label = ex.expected() == null ? 0 : ex.expected().equals(b.entry().id()) ? 1 : 2;
                boolean blocked = a.flags().blocksAutoAnswer() || !b.entry().language().equals(a.flags().language());
                sb.append(String.format(Locale.ROOT, "%d\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%.4f\t%s\t%s%n", label,
                        blocked ? 1 : 0, b.semantic(), b.lexical(), b.answerSemantic(), b.explained(),
                        b.mismatched() ? 1 : 0, b.semantic() - second, ex.category(), ex.text()));
            }
        }
        return sb.toString();
    }

    /** Embedding latency in milliseconds at quantile {@code q} over the loaded messages. */
    double embedMillis(double q) {
        long[] nanos = sets.values().stream().flatMap(s -> s.messages().stream()).mapToLong(Example::embedNanos)
                .sorted().toArray();
        return nanos[Math.min(nanos.length - 1, (int) Math.floor(q * nanos.length))] / 1e6;
    }

    public static void main(String[] args) {
        MiniLmEmbedder embedder = new MiniLmEmbedder();
        FaqEvaluation eval = new FaqEvaluation(embedder);
        HybridFaqMatcher matcher = new HybridFaqMatcher(embedder);
        List<String> a = List.of(args);
        System.out.print(report("TUNING " + TUNING, eval.evaluate(eval.sets(TUNING), hybrid(matcher))));
        if (a.contains("--features")) {
            System.out.print(eval.tuningFeatures(matcher));
        }
        if (a.contains("--errors")) {
            System.out.print(eval.tuningErrors(matcher));
        }
        if (a.contains("--held-out")) {
            System.out.print(report("HELD-OUT " + HELD_OUT, eval.evaluate(eval.sets(HELD_OUT), hybrid(matcher))));
        }
    }
}
