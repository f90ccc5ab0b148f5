package dev.switchboard.inference.server;

import dev.switchboard.inference.sampling.LogprobsRecorder;
import dev.switchboard.inference.sampling.LogprobsRecorder.Alternative;
import dev.switchboard.inference.sampling.LogprobsRecorder.Entry;
import dev.switchboard.inference.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.switchboard.inference.server.OpenAiServer.ordered;

/**
 * A generation's log-probabilities in OpenAI's two shapes: chat's {@code {"content": [{token, logprob, bytes,
 * top_logprobs}]}} and completions' {@code {tokens, token_logprobs, top_logprobs, text_offset}}. Streaming takes the
 * entries recorded since the previous chunk ({@link #next}); not thread-safe (one writer thread per response).
 */
final class LogprobShapes {
    private final boolean chat;
    private final Tokenizer tokenizer;
    private final LogprobsRecorder recorder;
    private int taken;
    private int textOffset;

    LogprobShapes(boolean chat, Tokenizer tokenizer, LogprobsRecorder recorder) {
        this.chat = chat;
        this.tokenizer = tokenizer;
        this.recorder = recorder;
    }

    /** The entries not yet shown, shaped; null when the request asked for no log-probabilities. */
    Map<String, Object> next() {
        if (recorder == null) {
            return null;
        }
        List<Entry> entries = recorder.since(taken);
        taken += entries.size();
        return chat ? chatShape(entries) : completionShape(entries);
    }

    private Map<String, Object> chatShape(List<Entry> entries) {
        List<Object> content = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            List<Object> top = new ArrayList<>(e.top().size());
            for (Alternative a : e.top()) {
                top.add(ordered("token", text(a.token()), "logprob", a.logprob(), "bytes", bytes(a.token())));
            }
            content.add(ordered("token", text(e.token()), "logprob", e.logprob(), "bytes", bytes(e.token()),
                    "top_logprobs", top));
        }
        return ordered("content", content, "refusal", null);
    }

    private Map<String, Object> completionShape(List<Entry> entries) {
        List<Object> tokens = new ArrayList<>();
        List<Object> logprobs = new ArrayList<>();
        List<Object> tops = new ArrayList<>();
        List<Object> offsets = new ArrayList<>();
        for (Entry e : entries) {
            String text = text(e.token());
            tokens.add(text);
            logprobs.add(e.logprob());
            Map<String, Object> top = new LinkedHashMap<>();
            for (Alternative a : e.top()) {
                top.putIfAbsent(text(a.token()), a.logprob());
            }
            tops.add(top);
            offsets.add(textOffset);
            textOffset += text.length();
        }
        return ordered("tokens", tokens, "token_logprobs", logprobs,
                "top_logprobs", recorder.top() == 0 ? null : tops, "text_offset", offsets);
    }

    private String text(int token) {
        return new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8);
    }

    private List<Integer> bytes(int token) {
        byte[] b = tokenizer.tokenBytes(token);
        List<Integer> out = new ArrayList<>(b.length);
        for (byte x : b) {
            out.add(x & 0xFF);
        }
        return out;
    }
}
