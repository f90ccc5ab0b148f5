package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word handling for lexical matching: tokens, stop words, a light stemmer and typo-tolerant comparison, for English;
 * other languages get theirs from {@link ForeignWords}.
 */
final class Lexicon {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}]+)?");

    /** Function words and politeness: they say nothing about which FAQ entry is meant. */
    private static final Set<String> STOP = Set.of(
            "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "anyone", "are", "as", "at",
            "be", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for",
            "from", "get", "got", "had", "has", "have", "having", "he", "hello", "her", "here", "hey", "hi", "him",
            "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "know", "let", "like", "me", "might",
            "mine", "my", "need", "of", "ok", "okay", "on", "or", "our", "ours", "please", "pls", "plz", "possible",
            "she", "should", "so", "some", "tell", "thank", "thanks", "that", "the", "their", "them", "then",
            "there", "these", "they", "this", "those", "to", "too", "u", "us", "wanna", "want", "was", "we", "were",
            "what", "whats", "when", "where", "which", "who", "why", "will", "with", "would", "ya", "you", "your",
            "yours", "im", "i'm", "it's", "i've", "i'd", "i'll", "you're", "what's", "there's", "guys", "hiya",
            "thx", "ty", "way", "one", "someone", "something", "able", "go", "going", "make",
            "really", "still", "very", "much", "dear", "team", "hallo", "pleasee", "question", "wondering", "ask");

    /**
     * Filler: vague nouns, hedges, adverbs and verbs of thinking that fill a sentence without naming what it asks
     * about ("is there anything ...", "what happens now", "can I cancel anytime"). Dropped from the words compared
     * (they stay words for finding a message's asking sentence): no entry writes them, so as content they count as
     * words the entry fails to explain and, unknown to every entry, make the subject look swapped. General English,
     * not taken from any FAQ; no word that can change the answer ("today" or "tomorrow", "until", "since").
     */
    private static final Set<String> FILLER = Set.of(
            "anything", "everything", "nothing", "thing", "things", "stuff", "yet", "now", "already", "usually",
            "usual", "normally", "typically", "generally", "certain", "rather", "than", "little", "bit", "lot",
            "lots", "anymore", "anytime", "happen", "happens", "happened", "kind", "sort", "actually", "basically",
            "exactly", "currently", "maybe", "perhaps", "probably", "idea", "sure", "anyway", "somehow", "somewhere",
            "anywhere", "everywhere", "whatever", "whenever", "case", "instead", "though", "although", "because",
            "while", "whether", "either", "neither", "both", "such", "quite", "pretty", "right", "ones", "guess",
            "think", "thought", "hope", "wonder", "mean", "means", "seem", "seems", "trying", "tried");

    /**
     * Content words that still name no subject: quantifiers, order words and light verbs. "Is it possible to exchange
     * for another colour" is about exchanges even when only the size-guide entry happens to say "another". Kept as
     * stems, like the words they are compared with.
     */
    private static final Set<String> NO_SUBJECT = stems("another", "other", "others", "every", "each", "many",
            "more", "most", "less", "few", "several", "same", "different", "new", "first", "last", "next", "own",
            "no", "not", "never", "ever", "always", "once", "again", "up", "off", "out", "over", "enough", "only",
            "even", "take", "find", "work", "turn", "pick", "put", "come", "give", "keep", "show", "happen", "use",
            "try", "see", "look", "say", "mean");

    private static Set<String> stems(String... words) {
        Set<String> out = new java.util.HashSet<>();
        for (String w : words) {
            out.add(stem(w));
        }
        return Set.copyOf(out);
    }

    /**
     * Words customers use interchangeably when asking support, mapped onto one key so lexical overlap sees them as
     * the same word: the common vocabulary of shops, deliveries, subscriptions and accounts, written from general
     * knowledge of support requests and not from any FAQ's wording. Deliberately no product or brand names, and
     * no word that means something else in another common question ("close" a shop or an account, "take" a
     * payment or a while): a wrong merge costs precision. A word belongs to one group only.
     */
    private static final List<List<String>> SYNONYMS = List.of(
            List.of("shipping", "delivery", "deliver", "shipment", "postage", "dispatch"),
            List.of("parcel", "package", "packet"),
            List.of("cost", "price", "pricing", "charge", "fee", "fees", "expensive", "cheap"),
            List.of("coupon", "promo", "discount", "voucher"),
            List.of("jacket", "coat", "parka", "puffer", "anorak"),
            List.of("store", "shop", "boutique"),
            List.of("wash", "clean", "launder"),
            List.of("colour", "color"),
            List.of("warranty", "guarantee"),
            List.of("damaged", "broken", "faulty", "defective", "torn", "damage"),
            List.of("fast", "quick", "quickly", "faster", "quicker"),
            List.of("email", "e-mail", "mail"),
            List.of("send", "post"),
            List.of("refund", "reimburse", "reimbursement", "repay"),
            List.of("cancel", "cancellation", "terminate", "termination"),
            List.of("change", "update", "edit", "modify", "amend"),
            List.of("forgot", "forget", "forgotten", "remember"),
            List.of("password", "passcode", "passphrase"),
            List.of("login", "logon", "signin"),
            List.of("contact", "reach"),
            List.of("support", "helpdesk", "assistance"),
            List.of("unsubscribe", "optout"),
            List.of("invoice", "bill", "receipt"),
            List.of("subscription", "membership"),
            List.of("delete", "remove", "erase"),
            List.of("buy", "purchase"),
            List.of("arrive", "arrival"),
            List.of("size", "sizing", "fit"),
            List.of("method", "option"),
            List.of("international", "worldwide", "abroad", "overseas"),
            List.of("exchange", "swap", "replace", "replacement"),
            List.of("wrong", "incorrect", "mistake"),
            List.of("track", "trace", "tracking"),
            List.of("late", "delay", "delayed", "overdue"),
            List.of("user", "seat", "licence", "license"),
            List.of("export", "download"),
            List.of("import", "upload"),
            List.of("data", "information", "info", "details"),
            List.of("allergen", "allergy", "allergic", "allergie", "intolerance"),
            List.of("tip", "gratuity"),
            List.of("alcohol", "alcoholic", "booze", "liquor"),
            List.of("rider", "courier", "driver"),
            List.of("job", "career", "hiring", "vacancy", "recruit", "recruiting"),
            List.of("schedule", "preorder"),
            List.of("collect", "collection", "pickup"),
            List.of("register", "signup"),
            List.of("reset", "recover", "recovery"),
            List.of("guide", "chart"),
            List.of("spreadsheet", "csv", "excel"),
            List.of("secure", "security", "protect", "protection"),
            List.of("annual", "annually", "yearly"));

    /**
     * Two-word phrasings of one word in the groups above ("send back" is "return", "log in" is "login"), joined
     * before stemming.
     */
    private static final java.util.Map<String, String> PHRASES = java.util.Map.ofEntries(
            java.util.Map.entry("send back", "return"),
            java.util.Map.entry("bring back", "return"),
            java.util.Map.entry("money back", "refund"),
            java.util.Map.entry("log in", "login"),
            java.util.Map.entry("sign in", "signin"),
            java.util.Map.entry("sign up", "signup"),
            java.util.Map.entry("opt out", "optout"),
            java.util.Map.entry("pick up", "pickup"),
            java.util.Map.entry("pre order", "preorder"),
            java.util.Map.entry("e mail", "email"),
            java.util.Map.entry("money off", "discount"));

    private static final java.util.Map<String, String> CANONICAL = canonicalStems();

    private static java.util.Map<String, String> canonicalStems() {
        java.util.Map<String, String> map = new java.util.HashMap<>();
        for (List<String> group : SYNONYMS) {
            String key = stem(group.getFirst());
            for (String w : group) {
                String previous = map.put(stem(w), key);
                if (previous != null && !previous.equals(key)) {
                    throw new IllegalStateException("synonym '" + w + "' is in two groups");
                }
            }
        }
        return map;
    }

    private Lexicon() {}

    /** Lower-case word tokens, accents removed, apostrophes kept inside words. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(TextNormalizer.folded(text));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** {@link #contentStems(String, String)} of English text. */
    static List<String> contentStems(String text) {
        return contentStems(text, Languages.ENGLISH);
    }

    /**
     * Stemmed content words of text in {@code language}: stop words and {@link #FILLER} dropped, so two phrasings of
     * one question share most of them. The support synonyms are English; other languages get their own function
     * words and stemmer.
     */
    static List<String> contentStems(String text, String language) {
        if (!language.equals(Languages.ENGLISH)) {
            return ForeignWords.contentStems(words(text), language);
        }
        List<String> out = new ArrayList<>();
        for (String w : joinPhrases(words(text))) {
            if (!STOP.contains(w) && !FILLER.contains(w)) {
                String s = stem(w);
                if (!s.isEmpty()) {
                    out.add(CANONICAL.getOrDefault(s, s));
                }
            }
        }
        return out;
    }

    private static List<String> joinPhrases(List<String> words) {
        List<String> out = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            String joined = i + 1 < words.size() ? PHRASES.get(words.get(i) + " " + words.get(i + 1)) : null;
            if (joined != null) {
                out.add(joined);
                i++;
            } else {
                out.add(words.get(i));
            }
        }
        return out;
    }

    static boolean isStopWord(String word) {
        return STOP.contains(word);
    }

    /** Whether the stem is a content word that names no subject ("another", "find"): see {@link #NO_SUBJECT}. */
    static boolean namesNoSubject(String stem) {
        return NO_SUBJECT.contains(stem);
    }

    /**
     * A deliberately light suffix stripper: it only has to map inflections of one word onto one key
     * ("shipping", "shipped", "ships" -> "ship"; "change", "changed" -> "chang"), not produce real stems.
     */
    static String stem(String w) {
        String s = w;
        if (s.endsWith("n't")) {
            s = s.substring(0, s.length() - 3);
        }
        if (s.endsWith("'s")) {
            s = s.substring(0, s.length() - 2);
        }
        s = s.replace("'", "");
        if (s.length() <= 3 || Character.isDigit(s.charAt(0))) {
            return s;
        }
        if (s.endsWith("ies") && s.length() > 4) {
            s = s.substring(0, s.length() - 3) + "y";
        } else if (s.endsWith("sses")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s") && !s.endsWith("ss") && !s.endsWith("us") && !s.endsWith("is")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("ing") && s.length() > 5) {
            s = undouble(s.substring(0, s.length() - 3));
        } else if (s.endsWith("ed") && s.length() > 4) {
            s = undouble(s.substring(0, s.length() - 2));
        } else if (s.endsWith("ly") && s.length() > 5) {
            s = s.substring(0, s.length() - 2);
        }
        if (s.endsWith("e") && s.length() > 3) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("y") && s.length() > 3) {
            s = s.substring(0, s.length() - 1) + "i";
        }
        return s;
    }

    private static String undouble(String s) {
        int n = s.length();
        if (n >= 3 && s.charAt(n - 1) == s.charAt(n - 2) && "lsz".indexOf(s.charAt(n - 1)) < 0) {
            return s.substring(0, n - 1);
        }
        return s;
    }

    /**
     * How well stem {@code a} matches {@code b}: 1 when equal, 0.8 for a likely typo (one edit for words of four
     * or more letters, two for eight or more; the first letter must agree, as it almost always does in typos),
     * else 0. Numbers only match exactly.
     */
    static double similarity(String a, String b) {
        if (a.equals(b)) {
            return 1;
        }
        int min = Math.min(a.length(), b.length());
        if (min < 4 || a.charAt(0) != b.charAt(0) || Character.isDigit(a.charAt(0))
                || Math.abs(a.length() - b.length()) > 2) {
            return 0;
        }
        int allowed = min >= 8 ? 2 : 1;
        return editDistance(a, b, allowed) <= allowed ? 0.8 : 0;
    }

    /** Optimal-string-alignment distance (an adjacent swap costs one), giving up above {@code limit}. */
    static int editDistance(String a, String b, int limit) {
        int n = a.length();
        int m = b.length();
        int[] prev2 = new int[m + 1];
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, prev2[j - 2] + 1);
                }
                cur[j] = v;
                rowMin = Math.min(rowMin, v);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] t = prev2;
            prev2 = prev;
            prev = cur;
            cur = t;
        }
        return prev[m];
    }
}
