package dev.switchboard.inference.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Encode throughput of the Llama 3 tokenizer on a ~100 KB FAQ-like text, and on a 100 KB "word" without any
 * space or punctuation (the case that makes naive BPE quadratic). Prints figures; asserts nothing.
 * <p>
 * Run: {@code java -cp target/classes:target/test-classes dev.switchboard.inference.tokenizer.TokenizerBench
 * [tokenizer.model] [file to write the FAQ text to]}
 */
public final class TokenizerBench {
    private static final String[] WORDS = ("account password reset billing invoice refund subscription plan upgrade "
            + "downgrade cancel support ticket email address phone login two-factor authentication device browser "
            + "cache cookie order shipping delivery tracking return warranty product feature integration API key "
            + "webhook limit quota region data export privacy GDPR security team member role admin permission "
            + "the a an to of and or for with in on at by from your our you we it is are can will may how what when "
            + "why where which do does not if then").split(" ");

    private TokenizerBench() {
    }

    static String faqText(int targetBytes, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        int n = 1;
        while (sb.length() < targetBytes) {
            sb.append("Q").append(n++).append(": ").append(sentence(r, 6 + r.nextInt(8))).append("?\n");
            sb.append("A: ");
            for (int s = 0, k = 1 + r.nextInt(4); s < k; s++) {
                sb.append(sentence(r, 8 + r.nextInt(16)));
                sb.append(switch (r.nextInt(6)) {
                    case 0 -> " (see https://help.example.com/articles/" + r.nextInt(100000) + ").";
                    case 1 -> ", within " + (1 + r.nextInt(30)) + " days.";
                    case 2 -> " — it's included in the €" + r.nextInt(500) + "/month plan.";
                    default -> ".";
                }).append(' ');
            }
            sb.append("\n\n");
        }
        return sb.toString();
    }

    private static String sentence(Random r, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String w = WORDS[r.nextInt(WORDS.length)];
            sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : (i > 0 ? " " : "") + w);
        }
        return sb.toString();
    }

    private static void measure(String label, Tokenizer tk, String text) {
        int tokens = 0;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 15; round++) {
            long t0 = System.nanoTime();
            tokens = tk.encode(text, false).length;
            best = Math.min(best, System.nanoTime() - t0);
        }
        double seconds = best / 1e9;
        System.out.printf("%-28s %8d chars %8d tokens  best of 15: %7.2f ms  %,12.0f tokens/s  %6.1f MB/s%n",
                label, text.length(), tokens, seconds * 1e3, tokens / seconds, text.length() / seconds / 1e6);
    }

    public static void main(String[] args) throws IOException {
        Path model = Path.of(args.length > 0 ? args[0] : "../shared/models/llama3-tokenizer/tokenizer.model");
        long t0 = System.nanoTime();
        Tokenizer tk = Tokenizers.fromTiktoken(model);
        System.out.printf("load %s: %.0f ms%n", model, (System.nanoTime() - t0) / 1e6);
        String faq = faqText(100_000, 1);
        if (args.length > 1) {
            Files.writeString(Path.of(args[1]), faq);
        }
        measure("FAQ text (~100 KB)", tk, faq);
        measure("one 100 KB word", tk, "xq".repeat(50_000));
        measure("100 KB of digits+letters", tk, "a1b2c3".repeat(16_667));
        Llama3ChatTemplate template = new Llama3ChatTemplate(tk);
        List<ChatMessage> dialog = List.of(new ChatMessage("system", faq.substring(0, 8_000)),
                new ChatMessage("user", "How do I reset my password?"));
        long best = Long.MAX_VALUE;
        int n = 0;
        for (int round = 0; round < 50; round++) {
            long s = System.nanoTime();
            n = template.render(dialog, true).length;
            best = Math.min(best, System.nanoTime() - s);
        }
        System.out.printf("chat prompt (8 KB FAQ + question): %d tokens in %.2f ms%n", n, best / 1e6);
    }
}
