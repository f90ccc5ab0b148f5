package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the sentences of a message that ask something. A long message is mostly story ("I ordered two pairs of
 * boots in different sizes ... only one fits"), and the story's words drown the question in both the embedding and
 * the lexical overlap; the sentence that asks is what an FAQ entry answers. Works on {@link TextNormalizer#folded
 * folded} text, in the languages {@link Languages} tells apart.
 */
final class Questions {

    /**
     * Words a question opens with (after folding and splitting at hyphens: "puis-je" opens with "puis"), in en, de,
     * fr, es, it, nl and pt.
     */
    static final Set<String> OPENERS = Set.of(
            // English
            "how", "what", "whats", "what's", "when", "where", "why", "which", "who", "can", "could", "do", "does",
            "did", "is", "are", "will", "would", "should", "may", "have", "has",
            // German
            "wie", "was", "wann", "wo", "warum", "wieso", "weshalb", "welche", "welcher", "welches", "wer", "kann",
            "konnen", "gibt", "ist", "sind", "habt", "muss", "darf", "soll", "werden", "wird",
            // French
            "comment", "quand", "pourquoi", "quel", "quelle", "quels", "quelles", "combien", "est", "puis", "peut",
            "pouvez", "avez", "existe",
            // Spanish
            "como", "que", "cuando", "donde", "cual", "cuanto", "cuanta", "puedo", "hay", "tienen", "aceptan",
            // Italian
            "cosa", "dove", "perche", "quale", "quanto", "posso",
            // Dutch
            "hoe", "wat", "wanneer", "waar", "waarom", "welke", "kunnen", "mag", "moet",
            // Portuguese
            "onde", "qual", "pode", "tem");

    /** A request to be told something, anywhere in a sentence: "I wanted to understand what ...". */
    private static final Pattern REQUEST = Pattern.compile("\\b((would|'d)\\s+like|want(ed)?)\\s+to\\s+(know|understand"
            + "|ask|find\\s+out|check)\\b|\\bwondering\\s+(if|whether|how|what|when|why)\\b"
            + "|\\btell\\s+me\\s+(how|what|if|whether|when|where|why)\\b|\\bis\\s+it\\s+possible\\b");

    /**
     * Between parts: after a question mark, after "." or "!" and a space, at line breaks, and before "also ..." or
     * "and how/what/can ..." ("how much is shipping and how long does it take?" asks twice).
     */
    private static final Pattern PARTS = Pattern.compile("(?<=[?])|(?<=[.!])\\s+|\\s*\\n\\s*"
            + "|\\s+(?:and\\s+)?also\\s+|\\s+and\\s+(?=(?:how|what|when|where|why|can|do|does|is|are)\\b)",
            Pattern.CASE_INSENSITIVE);

    /** Interjections that may come before the opener: "so how does it work", "ok can I ...". */
    private static final Set<String> LEAD_INS = Set.of("so", "ok", "okay", "and", "but", "also", "hi", "hey",
            "hello", "well", "then", "just", "quick", "question", "und", "et", "alors", "y", "pues", "e");

    private Questions() {}

    /** The message's parts (sentences, and questions joined by "and how" or "also"), in order, stripped. */
    static List<String> parts(String message) {
        List<String> out = new ArrayList<>();
        for (String s : PARTS.split(message.strip())) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** Whether the part asks something: a question mark, an interrogative or request opener, "I'd like to know". */
    static boolean asks(String part) {
        String folded = TextNormalizer.folded(part).strip();
        if (folded.endsWith("?") || folded.startsWith("¿")) {
            return true;
        }
        List<String> words = Lexicon.words(folded);
        int i = 0;
        while (i < words.size() - 1 && LEAD_INS.contains(words.get(i))) {
            i++;
        }
        return i < words.size() && OPENERS.contains(words.get(i)) || REQUEST.matcher(folded).find();
    }

    /**
     * The parts that ask something with at least one content word (a bare "are you there?" asks nothing an FAQ
     * answers).
     */
    static List<String> askingParts(String message) {
        List<String> out = new ArrayList<>();
        for (String part : parts(message)) {
            if (asks(part) && Lexicon.words(part).stream().anyMatch(w -> !Lexicon.isStopWord(w))) {
                out.add(part);
            }
        }
        return out;
    }
}
