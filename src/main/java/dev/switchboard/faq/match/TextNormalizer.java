package dev.switchboard.faq.match;

import java.text.Normalizer;
import java.util.regex.Pattern;

/** Cleans customer text before it is embedded or tokenised. */
final class TextNormalizer {

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}&&[^\\n\\t]]");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Runs like "!!!!!" or "??????" carry no more meaning than one, but cost word pieces. */
    private static final Pattern REPEATED_PUNCT = Pattern.compile("([!?.,])\\1{2,}");
    private static final Pattern ACCENTS = Pattern.compile("\\p{M}+");

    private TextNormalizer() {}

    /** NFKC, control characters removed, whitespace collapsed, cut at a word boundary near {@code maxChars}. */
    static String forEmbedding(String text, int maxChars) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = CONTROL.matcher(s).replaceAll("");
        s = REPEATED_PUNCT.matcher(s).replaceAll("$1");
        s = SPACES.matcher(s).replaceAll(" ").strip();
        if (s.length() <= maxChars) {
            return s;
        }
        int cut = s.lastIndexOf(' ', maxChars);
        return s.substring(0, cut > maxChars / 2 ? cut : maxChars);
    }

    /** Lower case without accents, so "Rückgabe" and "ruckgabe" or "café" and "cafe" compare equal. */
    static String folded(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKD);
        s = ACCENTS.matcher(s).replaceAll("");
        return s.toLowerCase(java.util.Locale.ROOT).replace('’', '\'').replace('‘', '\'');
    }
}
