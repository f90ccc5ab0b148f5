package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches a message against FAQ entries. The best entry is answered automatically only when all of these hold:
 * <ul>
 *   <li>no guard ({@link MessageGuards}) fires: requests for a person, about the customer's own order or account,
 *       instructions to the bot, small talk, several questions, another language; these score as high as real
 *       matches, so no threshold can keep them out;</li>
 *   <li>it is confident: the combined score (semantic: the best cosine between the message and any phrasing of
 *       the entry; plus, weighted, lexical: IDF-weighted word overlap with the best phrasing, typos forgiven)
 *       reaches the threshold, or the lexical overlap alone is near complete (the customer typed the entry's own
 *       words, misspelt);</li>
 *   <li>the cosine reaches a floor, a higher one when the message's subject does not line up with the entry's
 *       (a word no entry knows standing in for the entry's distinctive word, or a word distinctive of another
 *       entry): near misses such as "a discount for teachers" embed as close as true paraphrases;</li>
 *   <li>it leads the runner-up by a margin: two close entries mean the message sits between them.</li>
 * </ul>
 * The message is scored as written and in other views, the best of which decides: each part that asks something,
 * when it has several parts (a long story's question without the story), and the message respelt the way the
 * entries spell their words. Tuned on src/test/resources/faq-eval (see {@link MatchSettings#DEFAULTS}). Stateless
 * apart from its settings and embedder, hence thread-safe.
 */
public final class HybridFaqMatcher implements FaqMatcher, SameQuestion {

    /**
     * How far below the best entry's score a runner-up is still offered: on the tuning files, 2.0 entries offered
     * on average instead of 3.0 cost 2 of the 125 right entries offered (runners-up within 0.2: 117 right offered;
     * within 0.3: 118).
     */
    static final double OFFER_SPREAD = 0.5;

    private final MatchSettings settings;
    /** Embeds a message's other views (its asking parts, its respelling); the caller embeds the message itself. */
    private final TextEmbedder embedder;

    public HybridFaqMatcher(TextEmbedder embedder) {
        this(MatchSettings.DEFAULTS, embedder);
    }

    public HybridFaqMatcher(MatchSettings settings, TextEmbedder embedder) {
        if (settings == null) {
            throw new IllegalArgumentException("settings are null");
        }
        if (embedder == null) {
            throw new IllegalArgumentException("embedder is null");
        }
        this.settings = settings;
        this.embedder = embedder;
    }

    public MatchSettings settings() {
        return settings;
    }

    /** One candidate's scores, kept for evaluation and diagnostics. */
    record Scores(FaqCandidate entry, double semantic, double lexical, double answerSemantic, double explained,
                  boolean mismatched, double combined) {}

    /** Everything the decision rests on. */
    record Analysis(MessageGuards.Flags flags, List<Scores> ranked) {

        /** The same signals combined with other weights, re-ranked: lets a tuner try settings cheaply. */
        Analysis reweighted(MatchSettings s) {
            List<Scores> out = new ArrayList<>(ranked.size());
            for (Scores x : ranked) {
                out.add(new Scores(x.entry(), x.semantic(), x.lexical(), x.answerSemantic(), x.explained(),
                        x.mismatched(), combine(s, x.semantic(), x.lexical(), x.answerSemantic(), x.explained())));
            }
            out.sort(Comparator.comparingDouble(Scores::combined).reversed());
            return new Analysis(flags, out);
        }

        double marginOfBest() {
            return HybridFaqMatcher.marginOfBest(ranked);
        }
    }

    @Override
    public MatchResult match(String message, float[] messageEmbedding, List<FaqCandidate> candidates) {
        return match(message, messageEmbedding, candidates, Calibration.NONE);
    }

    @Override
    public MatchResult match(String message, float[] messageEmbedding, List<FaqCandidate> candidates,
                             Calibration calibration) {
        if (message == null) {
            throw new IllegalArgumentException("message is null");
        }
        if (messageEmbedding == null) {
            throw new IllegalArgumentException("message embedding is null");
        }
        if (candidates == null) {
            throw new IllegalArgumentException("candidates are null");
        }
        if (calibration == null) {
            throw new IllegalArgumentException("calibration is null");
        }
        Analysis analysis = analyse(message, messageEmbedding, candidates);
        List<MatchResult.Scored> nearest = analysis.ranked().stream()
                .limit(settings.nearestCount())
                .map(s -> new MatchResult.Scored(s.entry(), s.combined()))
                .toList();
        Scores best = analysis.ranked().isEmpty() ? null : analysis.ranked().getFirst();
        Verdict verdict = verdict(analysis, calibration);
        return new MatchResult(verdict == Verdict.ANSWER ? best.entry() : null, best == null ? 0 : best.combined(),
                analysis.marginOfBest(), nearest, analysis.flags().wantsHuman(), analysis.flags().smallTalk(),
                analysis.flags().language(),
                verdict == Verdict.BORDERLINE, analysis.flags().refusal(),
                verdict == Verdict.ANSWER ? List.of() : offers(analysis, calibration));
    }

    /**
     * The entries the customer may pick from when the best one came within {@link MatchSettings#offerBand()} of the
     * threshold: the best and the runners-up within {@link #OFFER_SPREAD} of its score, in the message's language
     * (an answer in another language is never sent). Nothing when a guard fires: a request for a person, small talk
     * or a question about the customer's own order gets no list.
     */
    private List<FaqCandidate> offers(Analysis analysis, Calibration calibration) {
        if (analysis.ranked().isEmpty() || analysis.flags().blocksAutoAnswer() || settings.offerBand() == 0) {
            return List.of();
        }
        double threshold = settings.answerThreshold() + calibration.thresholdShift();
        if (decisionScore(analysis.ranked()) < threshold - settings.offerBand()) {
            return List.of();
        }
        Scores best = analysis.ranked().getFirst();
        return analysis.ranked().stream()
                .filter(x -> x == best || x.combined() >= best.combined() - OFFER_SPREAD)
                .map(Scores::entry)
                .filter(e -> e.language().equals(analysis.flags().language()))
                .limit(MatchResult.MAX_OFFERS)
                .toList();
    }

    /**
     * Whether the message could be answered from an FAQ at all: no guard fires (a request for a person, about the
     * customer's own order or account, instructions to the bot, small talk, several questions).
     */
    public boolean generalQuestion(String message) {
        return !MessageGuards.inspect(message).blocksAutoAnswer();
    }

    /** ANSWER: sure enough to send the entry; BORDERLINE: worth a second opinion (a model); NO: neither. */
    enum Verdict { ANSWER, BORDERLINE, NO }

    boolean autoAnswer(Analysis analysis) {
        return verdict(analysis, Calibration.NONE) == Verdict.ANSWER;
    }

    Verdict verdict(Analysis analysis, Calibration calibration) {
        if (analysis.ranked().isEmpty() || analysis.flags().blocksAutoAnswer()) {
            return Verdict.NO;
        }
        Scores best = analysis.ranked().getFirst();
        double threshold = settings.answerThreshold() + calibration.thresholdShift();
        boolean floors = best.semantic() >= (best.mismatched() ? settings.mismatchedCosine() : settings.minCosine())
                || best.lexical() >= settings.strongLexical();
        double score = best.combined() + settings.marginWeight() * analysis.marginOfBest();
        boolean confident = score >= threshold || best.lexical() >= settings.strongLexical();
        // a message is answered only from an entry in its own language, never in another one: a model may still
        // confirm the entry and answer from it in the customer's language
        boolean sameLanguage = best.entry().language().equals(analysis.flags().language());
        if (sameLanguage && confident && floors && analysis.marginOfBest() >= settings.minMargin()) {
            return Verdict.ANSWER;
        }
        return score >= threshold - settings.borderlineBand() ? Verdict.BORDERLINE : Verdict.NO;
    }

    /**
     * Scores the message against the entries in its own language (all entries when none is, so that a model still
     * gets the nearest ones to ground an answer in).
     */
    Analysis analyse(String message, float[] messageEmbedding, List<FaqCandidate> all) {
        MessageGuards.Flags flags = MessageGuards.inspect(message);
        String language = flags.language();
        List<FaqCandidate> candidates = all.stream().filter(c -> c.language().equals(language)).toList();
        if (candidates.isEmpty()) {
            candidates = all;
        }
        LexicalIndex index = new LexicalIndex(candidates);
        List<Scores> best = rank(message, language, messageEmbedding, candidates, index);
        // a story with the question inside: the asking sentence alone is what an entry answers; the guards above
        // still judge the whole message
        if (Questions.parts(message).size() >= 2) {
            for (String part : Questions.askingParts(message)) {
                List<Scores> ranked = rank(part, language, embedder.embed(part), candidates, index);
                if (decisionScore(ranked) > decisionScore(best)) {
                    best = ranked;
                }
            }
        }
        // MiniLM reads "how lnog does delivry take" as other words: the message spelt the entries' way is a view too
        String respelt = index.respelt(message, language);
        if (respelt != null) {
            List<Scores> ranked = rank(respelt, language, embedder.embed(respelt), candidates, index);
            if (decisionScore(ranked) > decisionScore(best)) {
                best = ranked;
            }
        }
        return new Analysis(flags, best);
    }

    /** The best entry's score with its lead, as {@link #verdict} weighs them. */
    private double decisionScore(List<Scores> ranked) {
        return ranked.isEmpty() ? 0 : ranked.getFirst().combined() + settings.marginWeight() * marginOfBest(ranked);
    }

    private static double marginOfBest(List<Scores> ranked) {
        if (ranked.isEmpty()) {
            return 0;
        }
        return ranked.size() == 1 ? ranked.getFirst().combined() : ranked.get(0).combined() - ranked.get(1).combined();
    }

    /** Every candidate scored against one text (the message or one of its views), best first. */
    private List<Scores> rank(String text, String language, float[] embedding, List<FaqCandidate> candidates,
                              LexicalIndex index) {
        Map<String, Double> query = index.resolve(Lexicon.contentStems(text, language), language);
        List<Scores> ranked = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            FaqCandidate c = candidates.get(i);
            double semantic = Double.NEGATIVE_INFINITY;
            for (float[] e : c.embeddings()) {
                semantic = Math.max(semantic, Vectors.cosine(embedding, e));
            }
            double lexical = index.overlap(query, i);
            double answerSemantic = c.answerEmbedding() == null ? 0 : Vectors.cosine(embedding,
                    c.answerEmbedding());
            double explained = index.explained(query, i);
            ranked.add(new Scores(c, semantic, lexical, answerSemantic, explained, index.mismatched(query, i),
                    combine(settings, semantic, lexical, answerSemantic, explained)));
        }
        ranked.sort(Comparator.comparingDouble(Scores::combined).reversed());
        return ranked;
    }

    private static double combine(MatchSettings s, double semantic, double lexical, double answerSemantic,
                                  double explained) {
        return s.semanticWeight() * semantic + s.lexicalWeight() * lexical + s.answerWeight() * answerSemantic
                + s.explainedWeight() * explained;
    }

    @Override
    public boolean sameQuestion(String a, float[] ea, String b, float[] eb) {
        if (a == null || b == null || ea == null || eb == null) {
            throw new IllegalArgumentException("sameQuestion needs both texts and both embeddings");
        }
        if (Vectors.cosine(ea, eb) < settings.sameQuestionCosine()) {
            return false;
        }
        MessageGuards.Flags fa = MessageGuards.inspect(a);
        MessageGuards.Flags fb = MessageGuards.inspect(b);
        if (fa.accountSpecific() || fb.accountSpecific() || fa.injection() || fb.injection()
                || fa.multiQuestion() != fb.multiQuestion() || fa.wantsHuman() != fb.wantsHuman()) {
            return false;
        }
        List<String> wa = Lexicon.words(a);
        List<String> wb = Lexicon.words(b);
        // "can I return shoes after 30 days" vs "... 60 days", "do you ship to X" vs "don't you ship to X"
        if (!numbers(wa).equals(numbers(wb)) || negated(wa) != negated(wb)) {
            return false;
        }
        List<String> sa = Lexicon.contentStems(a);
        List<String> sb = Lexicon.contentStems(b);
        return coverage(sa, sb) >= settings.sameQuestionOverlap() && coverage(sb, sa) >= settings.sameQuestionOverlap();
    }

    private static Set<String> numbers(List<String> words) {
        Set<String> out = new HashSet<>();
        for (String w : words) {
            if (Character.isDigit(w.charAt(0))) {
                out.add(w);
            }
        }
        return out;
    }

    private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "without", "nothing", "none");

    private static boolean negated(List<String> words) {
        int n = 0;
        for (String w : words) {
            if (NEGATIONS.contains(w) || w.endsWith("n't")) {
                n++;
            }
        }
        return n % 2 == 1;
    }

    /** Share of {@code from}'s stems that {@code to} contains, typos forgiven; 1 when {@code from} is empty. */
    private static double coverage(List<String> from, List<String> to) {
        if (from.isEmpty()) {
            return to.isEmpty() ? 1 : 0;
        }
        double hit = 0;
        for (String f : from) {
            double best = 0;
            for (String t : to) {
                best = Math.max(best, Lexicon.similarity(f, t));
            }
            hit += best;
        }
        return hit / from.size();
    }

    /**
     * Content words of every phrasing and answer of every candidate, with IDF weights over the candidates (an
     * entry's phrasings and answer together are one document, so a word that only one answer mentions is still
     * known and distinctive).
     */
    private static final class LexicalIndex {

        private final List<List<Set<String>>> phrasings = new ArrayList<>();
        private final List<Set<String>> answers = new ArrayList<>();
        private final Map<String, Integer> documentFrequency = new HashMap<>();
        /** Every word the entries write (folded), to spell a message's misspelt words the entries' way. */
        private final Set<String> spellings = new HashSet<>();
        private final int n;

        LexicalIndex(List<FaqCandidate> candidates) {
            n = candidates.size();
            for (FaqCandidate c : candidates) {
                List<Set<String>> forEntry = new ArrayList<>();
                Set<String> union = new HashSet<>();
                for (String text : c.phrasings()) {
                    spellings.addAll(Lexicon.words(text));
                    Set<String> stems = new HashSet<>(Lexicon.contentStems(text, c.language()));
                    forEntry.add(stems);
                    union.addAll(stems);
                }
                phrasings.add(forEntry);
                spellings.addAll(Lexicon.words(c.answer()));
                Set<String> answer = new HashSet<>(Lexicon.contentStems(c.answer(), c.language()));
                answers.add(answer);
                union.addAll(answer);
                for (String s : union) {
                    documentFrequency.merge(s, 1, Integer::sum);
                }
            }
        }

        /**
         * The message with each misspelt word written as the entries write it ("how lnog does delivry take" ->
         * "how long does delivery take"), or null when nothing needed correcting. A content word is misspelt when
         * neither it nor its stem is known and one entry word is a likely typo of it (a function word is not: Spanish
         * "puede" is no typo of an entry's "puedes").
         */
        String respelt(String message, String language) {
            List<String> words = Lexicon.words(message);
            StringBuilder out = new StringBuilder();
            boolean changed = false;
            for (String w : words) {
                String word = w;
                List<String> stems = Lexicon.contentStems(w, language);
                if (!spellings.contains(w) && !stems.isEmpty()
                        && stems.stream().noneMatch(documentFrequency::containsKey)) {
                    int closest = Integer.MAX_VALUE;
                    for (String v : spellings) {
                        int d = Lexicon.similarity(w, v) > 0 ? Lexicon.editDistance(w, v, 2) : Integer.MAX_VALUE;
                        // the closest spelling, and of equally close ones the first in the alphabet, so the
                        // result does not depend on the set's order
                        if (d < closest || d == closest && d != Integer.MAX_VALUE && v.compareTo(word) < 0) {
                            closest = d;
                            word = v;
                        }
                    }
                    changed |= closest != Integer.MAX_VALUE;
                }
                out.append(out.isEmpty() ? "" : " ").append(word);
            }
            return changed ? out.toString() : null;
        }

        double idf(String stem) {
            int df = documentFrequency.getOrDefault(stem, 0);
            return Math.log(1 + (n - df + 0.5) / (df + 0.5));
        }

        /**
         * Maps each message stem onto the vocabulary: itself when known, else its closest likely-typo neighbour.
         * The value is how sure that mapping is (1, or 0.8 for a typo); unknown stems map to themselves with 1,
         * so they still count as message content no entry covers.
         */
        Map<String, Double> resolve(List<String> stems, String language) {
            Map<String, Double> out = new HashMap<>();
            for (String s : stems) {
                if (documentFrequency.containsKey(s)) {
                    out.merge(s, 1.0, Math::max);
                    continue;
                }
                String bestTerm = s;
                double best = 0;
                for (String v : documentFrequency.keySet()) {
                    double sim = Math.max(Lexicon.similarity(s, v), ForeignWords.compoundPart(s, v, language));
                    if (sim > best) {
                        best = sim;
                        bestTerm = v;
                    }
                }
                out.merge(bestTerm, best > 0 ? best : 1.0, Math::max);
            }
            return out;
        }

        /**
         * True when the message's subject does not line up with the entry's, however close the embeddings are:
         * <ul>
         *   <li>it uses a word no entry knows ("teachers") and lacks, in every phrasing, a word only this entry
         *       uses ("student"): "a discount for teachers" is not "a student discount";</li>
         *   <li>or it uses a word that is distinctive of other entries (in at most three, not this one):
         *       "can I exchange a gift card for cash" mixes the gift-card and exchange entries, and neither
         *       answer covers the mix. Quantifiers and light verbs ("another", "new", "find", "work") name no
         *       subject, so they do not count even when only another entry happens to use them.</li>
         * </ul>
         */
        boolean mismatched(Map<String, Double> query, int entry) {
            boolean novel = false;
            for (String t : query.keySet()) {
                Integer df = documentFrequency.get(t);
                if (df == null) {
                    novel |= !Character.isDigit(t.charAt(0)) && t.length() >= 3;
                } else if (df <= 3 && !inEntry(entry, t) && !Lexicon.namesNoSubject(t)) {
                    return true;
                }
            }
            if (!novel) {
                return false;
            }
            for (Set<String> phrasing : phrasings.get(entry)) {
                boolean keepsDistinctive = true;
                for (String t : phrasing) {
                    if (documentFrequency.get(t) == 1 && !query.containsKey(t)) {
                        keepsDistinctive = false;
                        break;
                    }
                }
                if (keepsDistinctive) {
                    return false;
                }
            }
            return true;
        }

        private boolean inEntry(int entry, String term) {
            return answers.get(entry).contains(term) || inPhrasings(entry, term);
        }

        private boolean inPhrasings(int entry, String term) {
            for (Set<String> p : phrasings.get(entry)) {
                if (p.contains(term)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The IDF-weighted share of the message's words that the entry uses anywhere (a phrasing or the answer);
         * a word no entry knows weighs as much as the rarest known word. Low when the message asks about something
         * the entry never mentions ("Can I pay in Bitcoin?" against the payment methods entry).
         */
        double explained(Map<String, Double> query, int entry) {
            if (query.isEmpty()) {
                return 0;
            }
            double mass = 0;
            double covered = 0;
            for (Map.Entry<String, Double> q : query.entrySet()) {
                double w = idf(q.getKey());
                mass += w;
                if (inEntry(entry, q.getKey())) {
                    covered += w * q.getValue();
                }
            }
            return covered / mass;
        }

        /**
         * The harmonic mean of two IDF-weighted coverages, best over the entry's phrasings: how much of the
         * message the phrasing explains, and how much of the phrasing the message mentions.
         */
        double overlap(Map<String, Double> query, int entry) {
            if (query.isEmpty()) {
                return 0;
            }
            double queryMass = 0;
            for (String q : query.keySet()) {
                queryMass += idf(q);
            }
            double best = 0;
            for (Set<String> phrasing : phrasings.get(entry)) {
                if (phrasing.isEmpty()) {
                    continue;
                }
                double covered = 0;
                double phrasingMass = 0;
                double phrasingCovered = 0;
                for (Map.Entry<String, Double> q : query.entrySet()) {
                    if (phrasing.contains(q.getKey())) {
                        covered += idf(q.getKey()) * q.getValue();
                    }
                }
                for (String t : phrasing) {
                    double w = idf(t);
                    phrasingMass += w;
                    Double sure = query.get(t);
                    if (sure != null) {
                        phrasingCovered += w * sure;
                    }
                }
                double x = covered / queryMass;
                double y = phrasingCovered / phrasingMass;
                if (x + y > 0) {
                    best = Math.max(best, 2 * x * y / (x + y));
                }
            }
            return best;
        }
    }
}
