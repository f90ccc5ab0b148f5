package dev.switchboard.inference.tokenizer;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Llama 3 chat format, token for token as Meta's reference {@code ChatFormat} (meta-llama/llama3): BOS, then per
 * message {@code <|start_header_id|>role<|end_header_id|>\n\n} and the content with surrounding whitespace stripped
 * (Python's {@code str.strip()}), then {@code <|eot_id|>}; optionally the assistant header that asks for a reply.
 * Roles and contents are encoded as plain text, so a message that spells out a special token cannot inject it.
 */
public final class Llama3ChatTemplate {
    static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    static final String END_OF_TEXT = "<|end_of_text|>";
    static final String START_HEADER = "<|start_header_id|>";
    static final String END_HEADER = "<|end_header_id|>";
    static final String END_OF_TURN = "<|eot_id|>";
    static final String END_OF_MESSAGE = "<|eom_id|>";

    private final Tokenizer tokenizer;
    private final int beginOfText;
    private final int startHeader;
    private final int endHeader;
    private final int endOfTurn;
    private final int[] headerEnd;
    private final Set<Integer> stopTokens;

    public Llama3ChatTemplate(Tokenizer tokenizer) {
        if (!supports(tokenizer)) {
            throw new IllegalArgumentException("the tokenizer lacks the Llama 3 chat tokens " + BEGIN_OF_TEXT + ", "
                    + START_HEADER + ", " + END_HEADER + " and " + END_OF_TURN);
        }
        this.tokenizer = tokenizer;
        beginOfText = tokenizer.specialToken(BEGIN_OF_TEXT);
        startHeader = tokenizer.specialToken(START_HEADER);
        endHeader = tokenizer.specialToken(END_HEADER);
        endOfTurn = tokenizer.specialToken(END_OF_TURN);
        headerEnd = tokenizer.encode("\n\n", false);
        Set<Integer> stops = new LinkedHashSet<>();
        for (String t : List.of(END_OF_TURN, END_OF_MESSAGE, END_OF_TEXT)) {
            int id = tokenizer.specialToken(t);
            if (id >= 0) {
                stops.add(id);
            }
        }
        stopTokens = Set.copyOf(stops);
    }

    /** Whether the tokenizer has the special tokens this template needs. */
    public static boolean supports(Tokenizer tokenizer) {
        return tokenizer.specialToken(BEGIN_OF_TEXT) >= 0 && tokenizer.specialToken(START_HEADER) >= 0
                && tokenizer.specialToken(END_HEADER) >= 0 && tokenizer.specialToken(END_OF_TURN) >= 0;
    }

    /** The prompt tokens for a dialog, starting with BOS; with the generation prompt, ends in the assistant header. */
    public int[] render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        IntList out = new IntList();
        out.add(beginOfText);
        for (ChatMessage m : messages) {
            header(m.role(), out);
            out.addAll(tokenizer.encode(CharClasses.pythonStrip(m.content()), false));
            out.add(endOfTurn);
        }
        if (addGenerationPrompt) {
            header("assistant", out);
        }
        return out.toArray();
    }

    private void header(String role, IntList out) {
        out.add(startHeader);
        out.addAll(tokenizer.encode(role, false));
        out.add(endHeader);
        out.addAll(headerEnd);
    }

    /** Tokens that end the assistant's turn: {@code <|eot_id|>}, {@code <|eom_id|>}, {@code <|end_of_text|>}. */
    public Set<Integer> stopTokens() {
        return stopTokens;
    }
}
