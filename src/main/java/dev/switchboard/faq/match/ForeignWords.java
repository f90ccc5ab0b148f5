package dev.switchboard.faq.match;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Word handling for the languages other than English that {@link Languages} tells apart: their function words,
 * and a light suffix stripper that maps plurals and common inflections onto one key ("Rechnungen", "Rechnung";
 * "factures", "facture"; "repartidores", "repartidor"), like {@link Lexicon#stem} does for English. Without them a
 * German question is mostly words no entry knows ("wie", "ich", "die"), and its lexical overlap with the entry it
 * asks about is near zero. Words are {@link TextNormalizer#folded folded} (no accents).
 */
final class ForeignWords {

    private static final Map<String, Set<String>> STOP = Map.of(
            "de", Set.of("der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines",
                    "ich", "du", "er", "sie", "es", "wir", "ihr", "man", "mich", "mir", "dich", "dir", "uns", "euch",
                    "mein", "meine", "meinen", "meinem", "meiner", "dein", "deine", "ihre", "ihren", "ihrem", "unser",
                    "unsere", "und", "oder", "aber", "auch", "noch", "nur", "schon", "so", "da", "dann", "wenn", "ob",
                    "dass", "als", "wie", "was", "wann", "wo", "warum", "wieso", "welche", "welcher", "welches", "wer",
                    "ist", "sind", "bin", "bist", "war", "sein", "habe", "hast", "hat", "haben", "habt", "kann",
                    "kannst", "konnen", "konnte", "muss", "mussen", "darf", "soll", "will", "mochte", "werden", "wird",
                    "gibt", "geht", "tun", "mache", "machen", "bitte", "danke", "hallo", "ja", "nein", "nicht", "kein",
                    "keine", "zu", "zum", "zur", "im", "in", "an", "am", "auf", "aus", "bei", "mit", "nach", "von",
                    "vom", "fur", "uber", "um", "bis", "fuer", "moglich", "etwas", "denn", "hier", "dort", "jetzt",
                    "mal", "eigentlich", "gerne", "gern", "sehr"),
            "fr", Set.of("le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "je", "j", "tu", "il", "elle",
                    "on", "nous", "vous", "ils", "elles", "me", "m", "te", "se", "s", "mon", "ma", "mes", "ton", "ta",
                    "votre", "vos", "notre", "nos", "leur", "et", "ou", "mais", "donc", "que", "qu", "qui", "quoi",
                    "est", "sont", "suis", "etre", "ai", "as", "a", "avez", "avons", "ont", "avoir", "puis", "peux",
                    "peut", "pouvez", "pouvons", "faut", "fait", "faire", "y", "t", "ce", "c", "cet", "cette", "ces",
                    "comment", "quand", "pourquoi", "quel", "quelle", "quels", "quelles", "combien", "existe", "dans",
                    "en", "sur", "pour", "par", "avec", "sans", "au", "aux", "ne", "pas", "plus", "merci", "bonjour",
                    "oui", "non", "svp", "possible", "si"),
            "es", Set.of("el", "la", "los", "las", "lo", "un", "una", "unos", "unas", "de", "del", "al", "a", "en",
                    "con", "por", "para", "sin", "sobre", "y", "o", "pero", "que", "como", "cuando", "donde", "cual",
                    "cuanto", "cuanta", "quien", "yo", "tu", "ella", "nosotros", "vosotros", "ellos", "me", "te", "se",
                    "nos", "os", "le", "les", "mi", "mis", "su", "sus", "es", "son", "soy", "esta", "estan", "estais",
                    "estoy", "ser", "estar", "hay", "he", "ha", "han", "puedo", "puedes", "puede", "podemos", "podeis",
                    "pueden", "quiero", "quieres", "eres", "sois", "hola", "gracias", "si", "no", "muy", "mas", "ya",
                    "tengo", "tiene", "tienen", "teneis", "hacer", "haceis", "hacen", "posible", "favor"),
            "it", Set.of("il", "lo", "la", "i", "gli", "le", "un", "una", "di", "del", "della", "a", "al", "da", "in",
                    "con", "su", "per", "e", "o", "ma", "che", "come", "quando", "dove", "quale", "quanto", "io", "mi",
                    "ti", "si", "mio", "mia", "suo", "vostro", "sono", "ho", "ha", "posso", "puo", "non", "anche",
                    "grazie", "ciao"),
            "nl", Set.of("de", "het", "een", "en", "of", "maar", "ik", "je", "jij", "u", "we", "wij", "jullie", "mijn",
                    "uw", "ons", "is", "zijn", "ben", "heb", "heeft", "hebben", "kan", "kunnen", "mag", "moet", "wil",
                    "wat", "hoe", "wanneer", "waar", "waarom", "welke", "wie", "niet", "geen", "ook", "naar", "van",
                    "in", "op", "met", "voor", "bij", "aan", "om", "te", "er", "dat", "die", "dit", "hallo", "bedankt",
                    "alstublieft", "graag"),
            "pt", Set.of("o", "a", "os", "as", "um", "uma", "de", "do", "da", "dos", "das", "em", "no", "na", "com",
                    "por", "para", "e", "ou", "mas", "que", "como", "quando", "onde", "qual", "quanto", "eu", "voce",
                    "voces", "meu", "minha", "seu", "sua", "sao", "tem", "posso", "pode", "nao", "ola", "obrigado",
                    "obrigada"));

    /** Suffixes, longer ones first: the first that leaves at least {@link #MIN_STEM} letters is stripped. */
    private static final Map<String, List<String>> SUFFIXES = Map.of(
            "de", List.of("ungen", "ung", "en", "er", "es", "e", "n", "s"),
            "fr", List.of("ations", "ation", "ements", "ement", "euses", "euse", "eurs", "eur", "ees", "ee", "es",
                    "er", "ez", "e", "s", "x"),
            "es", List.of("aciones", "acion", "mente", "es", "as", "os", "ar", "er", "ir", "a", "o", "e", "s"),
            "it", List.of("zioni", "zione", "i", "e", "a", "o"),
            "nl", List.of("ingen", "ing", "en", "s", "e"),
            "pt", List.of("coes", "cao", "es", "as", "os", "a", "o", "e", "s"));

    private static final int MIN_STEM = 4;

    private ForeignWords() {}

    static List<String> contentStems(List<String> words, String language) {
        Set<String> stop = STOP.getOrDefault(language, Set.of());
        List<String> out = new ArrayList<>();
        for (String word : words) {
            // elided articles and pronouns: "l'application" is "application", "qu'il" is "il"
            String w = word.substring(word.indexOf('\'') + 1);
            if (!w.isEmpty() && !stop.contains(w)) {
                out.add(stem(w, language));
            }
        }
        return out;
    }

    /** Languages that write compounds as one word: "Gutscheincode" is a "Gutschein" code. */
    private static final Set<String> COMPOUNDING = Set.of("de", "nl");

    /**
     * How well stem {@code a} stands for {@code b} as a part of a compound: 0.8, like a typo, when one opens the other
     * and the shorter has at least {@link #MIN_STEM} letters ("gutschein" and "gutscheincod", "test" and
     * "testphas"), in a compounding language; else 0.
     */
    static double compoundPart(String a, String b, String language) {
        if (!COMPOUNDING.contains(language) || Math.min(a.length(), b.length()) < MIN_STEM) {
            return 0;
        }
        return a.startsWith(b) || b.startsWith(a) ? 0.8 : 0;
    }

    static String stem(String w, String language) {
        if (Character.isDigit(w.charAt(0))) {
            return w;
        }
        for (String suffix : SUFFIXES.getOrDefault(language, List.of())) {
            if (w.endsWith(suffix) && w.length() - suffix.length() >= MIN_STEM) {
                return w.substring(0, w.length() - suffix.length());
            }
        }
        return w;
    }
}
