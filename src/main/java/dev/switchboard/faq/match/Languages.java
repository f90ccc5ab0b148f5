package dev.switchboard.faq.match;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells which language a customer message is written in, from its function words and a few letters only one
 * language uses. Good enough to keep a German question away from an English answer; a message with no evidence
 * either way counts as English, the language the embedding model knows.
 */
public final class Languages {

    public static final String ENGLISH = "en";

    private static final Map<String, Set<String>> WORDS = Map.of(
            "en", Set.of("the", "is", "are", "do", "does", "you", "your", "i", "my", "can", "how", "what", "when",
                    "where", "which", "of", "to", "and", "for", "with", "it", "have", "there", "any", "will", "much",
                    "long", "get", "an", "a", "this", "that", "please", "thanks", "hi", "hello", "want"),
            "de", Set.of("ich", "nicht", "und", "ist", "der", "die", "das", "wie", "kann", "meine", "mein", "ein",
                    "eine", "mit", "wann", "wo", "bitte", "sie", "ihr", "fur", "auf", "werden", "wird", "habe",
                    "gibt", "es", "man", "einen", "einem", "mochte", "danke", "viel", "kostet", "lange", "dauert",
                    "bis", "welche", "meinen", "unterstutzen", "hallo", "moglich", "mir", "sprechen", "zuruck"),
            "fr", Set.of("je", "est", "les", "une", "des", "pour", "pas", "vous", "mon", "ma", "mes", "comment",
                    "quand", "avec", "est-ce", "que", "puis", "combien", "dans", "votre", "vos", "ou", "sont", "le",
                    "la", "du", "merci", "bonjour", "quels", "quelle", "quel", "peux", "acceptez", "trouver", "sur"),
            "es", Set.of("el", "los", "las", "una", "es", "por", "para", "como", "cuando", "puedo", "mi", "con",
                    "cuanto", "donde", "tienen", "que", "se", "puede", "hola", "gracias", "quiero", "hay", "al",
                    "del", "estais", "esta", "hablar", "ciudades", "cuesta", "tarda", "pagar", "pago",
                    "efectivo", "aceptais", "hacen", "haceis", "tienes", "ignora", "dame"),
            "it", Set.of("il", "di", "che", "non", "sono", "posso", "mio", "quanto", "della", "gli", "anche",
                    "spediti", "grazie", "ciao", "devo"),
            "nl", Set.of("ik", "het", "een", "niet", "hoe", "mijn", "wanneer", "jullie", "naar", "wat", "zijn",
                    "ook", "welke", "moet", "bedankt", "hallo"),
            "pt", Set.of("eu", "nao", "meu", "minha", "voces", "quanto", "custa", "para", "obrigado", "ola", "o"));

    /** Letters that, in a customer message, nearly always mean this language. */
    private static final List<Map.Entry<String, String>> LETTERS = List.of(
            Map.entry("¿¡ñ", "es"), Map.entry("ßäöü", "de"), Map.entry("çèêàœù", "fr"), Map.entry("ãõ", "pt"),
            Map.entry("ĳ", "nl"));

    private Languages() {}

    /** The message's language as an ISO 639-1 code: en, de, fr, es, it, nl or pt. */
    public static String detect(String text) {
        if (text == null || text.isBlank()) {
            return ENGLISH;
        }
        List<String> words = Lexicon.words(text);
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        String best = ENGLISH;
        int bestScore = 0;
        int english = count(words, WORDS.get(ENGLISH));
        for (Map.Entry<String, Set<String>> language : WORDS.entrySet()) {
            if (language.getKey().equals(ENGLISH)) {
                continue;
            }
            int score = count(words, language.getValue());
            for (Map.Entry<String, String> letters : LETTERS) {
                if (letters.getValue().equals(language.getKey()) && containsAny(lower, letters.getKey())) {
                    score += 2;
                }
            }
            if (score > bestScore) {
                bestScore = score;
                best = language.getKey();
            }
        }
        // one foreign word among English ones is a name or a loan word ("a la carte", "Danke" in an English line)
        boolean foreign = bestScore >= 2 ? bestScore > english : bestScore == 1 && english == 0 && words.size() <= 3;
        return foreign ? best : ENGLISH;
    }

    private static int count(List<String> words, Set<String> vocabulary) {
        int n = 0;
        for (String w : words) {
            if (vocabulary.contains(w)) {
                n++;
            }
        }
        return n;
    }

    private static boolean containsAny(String text, String letters) {
        for (int i = 0; i < letters.length(); i++) {
            if (text.indexOf(letters.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }
}
