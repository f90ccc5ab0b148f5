package dev.switchboard.inference.tokenizer;

import dev.switchboard.inference.gguf.GgufFile;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The shared test models (../shared/models, beside the project) and test texts used by several tests. */
final class TestModels {
    static final Path MODELS = Path.of("../shared/models");
    static final Path LLAMA3_TOKENIZER = MODELS.resolve("llama3-tokenizer/tokenizer.model");
    static final Path LLAMA_CPP_INPUTS = MODELS.resolve("llama3-tokenizer/ggml-vocab-llama-bpe.gguf.inp");
    static final Path LLAMA_CPP_OUTPUTS = MODELS.resolve("llama3-tokenizer/ggml-vocab-llama-bpe.gguf.out");
    static final Path STORIES = MODELS.resolve("stories260K/stories260K.gguf");

    private static Tokenizer llama3;

    private TestModels() {
    }

    static void assume(Path file) {
        if (!Files.exists(file)) {
            String why = "SKIPPED: " + file.toAbsolutePath().normalize() + " absent (the shared test models are not "
                    + "beside the project), so this test cannot run";
            System.err.println(why); // surefire shows only a count of skipped tests, so say it where it is seen
            Assumptions.abort(why);
        }
    }

    /** Meta's Llama 3 tokenizer, loaded once for all tests (loading takes about a second). */
    static synchronized Tokenizer llama3() {
        assume(LLAMA3_TOKENIZER);
        if (llama3 == null) {
            llama3 = Tokenizers.fromTiktoken(LLAMA3_TOKENIZER);
        }
        return llama3;
    }

    static Tokenizer stories() {
        assume(STORIES);
        try (GgufFile gguf = GgufFile.open(STORIES)) {
            return Tokenizers.fromGguf(gguf);
        }
    }

    record Case(String text, int[] ids) {}

    /**
     * llama.cpp's Llama 3 tokenizer cases: texts separated by lines {@code __ggml_vocab_test__}, and one line of
     * expected ids (without BOS) per text; the text after the last separator is the empty string.
     */
    static List<Case> llamaCppCases() throws IOException {
        assume(LLAMA_CPP_INPUTS);
        assume(LLAMA_CPP_OUTPUTS);
        String[] texts = Files.readString(LLAMA_CPP_INPUTS).split("\n__ggml_vocab_test__\n", -1);
        List<String> lines = Files.readAllLines(LLAMA_CPP_OUTPUTS);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            String line = i < lines.size() ? lines.get(i).trim() : "";
            int[] ids = line.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts[i], ids));
        }
        return cases;
    }

    /** Characters that stress the pre-tokenizer: Unicode spaces, letters and digits of many scripts, emoji. */
    static final String[] ALPHABET = {
            "a", "b", "Z", "s", "S", "t", "re", "RE", "ve", "m", "ll", "LL", "d", "'", "'", "\u017F", " ", " ", " ",
            "\t", "\n", "\r", "\r\n", "0", "7", "42", "!", "?", ".", ",", "-", "(", ")", "\"", "<", ">", "|", "_",
            "\u00A0", "\u2009", "\u3000", "\u0085", "\u2028", "\u202F", "\u1680", "\u000B", "\u000C", "\u001C",
            "\u200B", "\u180E", "\uFEFF", "é", "ß", "İ", "ǅ", "ﬁ", "Ω", "ж", "Я", "ع", "ש", "ह", "ि", "ক", "ก", "ខ",
            "の", "中", "文", "한", "🦙", "😀", "👍🏽", "🇫🇷", "\u200D", "\uFE0F", "٣", "५", "১", "๓", "²", "½", "Ⅻ",
            "〇", "𝟙", "\u0301", "…", "—", "“", "€", "\u00AD", "\u0000", "\u007F", "<|eot_id|>", "<|begin_of_text|>"};

    /** A seeded random text of up to {@code maxParts} pieces of {@link #ALPHABET}. */
    static String randomText(Random random, int maxParts) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(maxParts + 1);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    static String ids(int[] ids) {
        return java.util.Arrays.toString(ids);
    }
}
