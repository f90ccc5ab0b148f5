package dev.switchboard.inference.server;

import dev.switchboard.inference.Engine;
import dev.switchboard.inference.sampling.GenerationControls;
import dev.switchboard.inference.sampling.LogitBias;
import dev.switchboard.inference.sampling.LogitsProcessor;
import dev.switchboard.inference.sampling.LogprobsRecorder;
import dev.switchboard.inference.sampling.MinP;
import dev.switchboard.inference.sampling.OccurrencePenalties;
import dev.switchboard.inference.sampling.RepetitionPenalty;
import dev.switchboard.inference.sampling.SamplingParams;
import dev.switchboard.inference.speculative.DraftMode;
import dev.switchboard.inference.structured.JsonMask;
import dev.switchboard.inference.structured.JsonSchema;
import dev.switchboard.inference.speculative.Speculation;
import dev.switchboard.inference.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code /v1/chat/completions} or {@code /v1/completions} request: the prompt as tokens, and for each of
 * its {@code n} choices the sampling parameters (choice i samples with seed + i) and the controls of each row (their
 * processors keep per-generation state). Every field is either honoured or refused with a 400 that names it: a
 * client never gets a silently different answer than it asked for.
 */
record GenerationRequest(boolean chat, int[] prompt, List<SamplingParams> choiceParams,
        List<GenerationControls> choiceControls, Speculation speculation, boolean stream, boolean includeUsage,
        ToolCalls tools) {
    /** OpenAI's limit on {@code n}. */
    static final int MAX_CHOICES = 128;

    /** The choices asked for ({@code n}). */
    int n() {
        return choiceParams.size();
    }

    /** The first choice's parameters (the only ones when n = 1). */
    SamplingParams params() {
        return choiceParams.getFirst();
    }

    /** The first choice's controls (the only ones when n = 1). */
    GenerationControls controls() {
        return choiceControls.getFirst();
    }

    /** Fields both endpoints honour. */
    private static final Set<String> COMMON = Set.of("model", "stream", "stream_options", "max_tokens", "temperature",
            "top_p", "top_k", "seed", "stop", "n", "logprobs", "user", "skip_special_tokens", "draft", "draft_tokens",
            "draft_corpus", "presence_penalty", "frequency_penalty", "repetition_penalty", "logit_bias", "min_p");
    private static final Set<String> CHAT_ONLY = Set.of("messages", "max_completion_tokens", "top_logprobs",
            "response_format", "tools", "tool_choice", "parallel_tool_calls");
    /** Completions' fields honoured only at their default (echo false, best_of 1, suffix absent) are checked below. */
    private static final Set<String> COMPLETION_ONLY = Set.of("prompt", "echo", "best_of", "suffix");

    static GenerationRequest parse(Engine engine, Fields body, boolean chat) {
        for (String name : body.names()) {
            if (!COMMON.contains(name) && !(chat ? CHAT_ONLY : COMPLETION_ONLY).contains(name)) {
                throw ApiException.badRequest(name, "unsupported_parameter", "'" + name + "' is not supported by "
                        + (chat ? "/v1/chat/completions" : "/v1/completions") + " on this server");
            }
        }
        String model = body.requiredString("model");
        if (!model.equals(engine.modelName())) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                    "the model '" + model + "' does not exist; this server serves '" + engine.modelName() + "'");
        }
        Integer n = body.integer("n");
        if (n != null && (n < 1 || n > MAX_CHOICES)) {
            throw ApiException.badRequest("n", "'n' must be between 1 and " + MAX_CHOICES + ", got " + n);
        }
        if (!chat && body.bool("echo", false)) {
            throw ApiException.badRequest("echo", "echo is not supported");
        }
        Integer bestOf = body.integer("best_of");
        if (bestOf != null && bestOf != 1) {
            throw ApiException.badRequest("best_of", "only best_of = 1 is supported, got " + bestOf);
        }
        if (body.has("suffix")) {
            throw ApiException.badRequest("suffix", "suffix (fill-in-the-middle) is not supported");
        }
        boolean stream = body.bool("stream", false);
        Fields streamOptions = body.object("stream_options");
        boolean includeUsage = streamOptions != null && streamOptions.bool("include_usage", false);

        ToolCalls tools = chat ? ToolCalls.parse(body) : null;
        if (tools != null && tools.constrained() && body.has("response_format")) {
            throw ApiException.badRequest("response_format", "response_format cannot be combined with a required or "
                    + "named tool_choice (the answer is a tool call)");
        }
        int[] prompt = chat ? chatPrompt(engine, body, tools) : completionPrompt(engine, body);
        int context = engine.config().contextLength();
        if (prompt.length >= context) {
            throw ApiException.badRequest(chat ? "messages" : "prompt", "context_length_exceeded",
                    "the prompt has " + prompt.length + " tokens; this model's context holds " + context
                            + " (at most " + (context - 1) + " prompt tokens)");
        }
        // A generation must fit the KV cache all generations share (it may be configured below one context).
        int room = Math.min(context, engine.kvCacheTokens()) - prompt.length;
        if (room < 1) {
            throw ApiException.badRequest(chat ? "messages" : "prompt", "context_length_exceeded",
                    "the prompt has " + prompt.length + " tokens; the server's KV cache holds "
                            + engine.kvCacheTokens() + " positions for prompt and answer together");
        }
        SamplingParams params = samplingParams(body, room, prompt.length);
        List<SamplingParams> choiceParams = new ArrayList<>();
        List<GenerationControls> choiceControls = new ArrayList<>();
        for (int i = 0; i < (n == null ? 1 : n); i++) {
            SamplingParams choice = params.seed() == null ? params : params.withSeed(params.seed() + i);
            choiceParams.add(choice);
            choiceControls.add(new GenerationControls(processors(engine, body, prompt, choice, tools),
                    logprobs(body, chat), !body.bool("skip_special_tokens", true)));
        }
        return new GenerationRequest(chat, prompt, List.copyOf(choiceParams), List.copyOf(choiceControls),
                speculation(engine, body), stream, includeUsage, tools);
    }

    /**
     * Extensions {@code draft} ("none", "prompt", "suffix", "model" when the server has a draft model),
     * {@code draft_tokens} and {@code draft_corpus}: a client that knows its answer will quote the prompt (FAQ
     * grounding) or other texts can ask for drafting; the server's own setting is the default.
     */
    private static Speculation speculation(Engine engine, Fields body) {
        Speculation defaults = engine.speculation();
        DraftMode mode = defaults.mode();
        String draft = body.string("draft");
        if (draft != null) {
            try {
                mode = DraftMode.parse(draft);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("draft", e.getMessage());
            }
            if (mode == DraftMode.MODEL && !engine.hasDraftModel()) {
                throw ApiException.badRequest("draft", "this server has no draft model (start it with --draft FILE)");
            }
        }
        Integer tokens = body.integer("draft_tokens");
        Speculation speculation;
        try {
            speculation = new Speculation(mode, tokens == null ? defaults.maxTokens() : tokens);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("draft_tokens", e.getMessage());
        }
        List<String> corpus = draftCorpus(body);
        // Only the suffix drafter reads a corpus: tokenizing one for another mode would be wasted work.
        return corpus.isEmpty() || mode != DraftMode.SUFFIX ? speculation
                : speculation.withCorpus(engine.encodeCorpus(corpus));
    }

    static final int MAX_CORPUS_TEXTS = 256;
    static final int MAX_CORPUS_CHARS = 131_072;

    /**
     * Extension {@code draft_corpus}: texts the answer is likely to quote (FAQ answers, earlier answers), drafted from
     * by the suffix drafter. Bounded in count and length, since every request indexes its own; past
     * {@link Speculation#MAX_CORPUS_TOKENS} tokens the later texts are left out.
     */
    private static List<String> draftCorpus(Fields body) {
        Object raw = body.raw("draft_corpus");
        if (raw == null) {
            return List.of();
        }
        if (!(raw instanceof List<?> list)) {
            throw ApiException.badRequest("draft_corpus", "'draft_corpus' must be an array of strings");
        }
        if (list.size() > MAX_CORPUS_TEXTS) {
            throw ApiException.badRequest("draft_corpus", "'draft_corpus' holds " + list.size()
                    + " texts; at most " + MAX_CORPUS_TEXTS + " are accepted");
        }
        List<String> texts = new ArrayList<>(list.size());
        long chars = 0;
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String text)) {
                throw ApiException.badRequest("draft_corpus", "'draft_corpus' must be an array of strings, got "
                        + list.get(i) + " at index " + i);
            }
            chars += text.length();
            texts.add(text);
        }
        if (chars > MAX_CORPUS_CHARS) {
            throw ApiException.badRequest("draft_corpus", "'draft_corpus' holds " + chars
                    + " characters; at most " + MAX_CORPUS_CHARS + " are accepted");
        }
        return texts;
    }

    /** The logits processors the request asks for, in the order vLLM applies them: penalties, bias, then min_p. */
    private static List<LogitsProcessor> processors(Engine engine, Fields body, int[] prompt, SamplingParams params,
            ToolCalls tools) {
        List<LogitsProcessor> out = new ArrayList<>();
        double presence = body.number("presence_penalty", 0);
        double frequency = body.number("frequency_penalty", 0);
        double repetition = body.number("repetition_penalty", 1);
        double minP = body.number("min_p", 0);
        try {
            if (presence != 0 || frequency != 0) {
                out.add(new OccurrencePenalties((float) presence, (float) frequency));
            }
            if (repetition != 1) {
                out.add(new RepetitionPenalty((float) repetition, prompt));
            }
            Fields bias = body.object("logit_bias");
            if (bias != null && !bias.names().isEmpty()) {
                out.add(new LogitBias(logitBias(bias), engine.tokenizer().vocabSize()));
            }
            JsonSchema schema = responseSchema(body);
            if (schema != null) {
                out.add(new JsonMask(schema, engine.tokenizer()));
            }
            if (tools != null && tools.constrained()) {
                out.add(tools.mask(engine.tokenizer()));
            }
            if (minP != 0) {
                out.add(new MinP((float) minP, params.temperature()));
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage().substring(0, e.getMessage().indexOf(' ')), e.getMessage());
        }
        return out;
    }

    /**
     * {@code response_format}: {@code text} (nothing), {@code json_object} (any object) or {@code json_schema} with
     * {@code json_schema.schema}; null when the output is free text. Constrained decoding enforces the schema
     * whether or not {@code strict} is set (it only knows the strict subset).
     */
    private static JsonSchema responseSchema(Fields body) {
        Fields format = body.object("response_format");
        if (format == null) {
            return null;
        }
        String type = format.requiredString("type");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> JsonSchema.ANY_OBJECT;
            case "json_schema" -> {
                Fields spec = format.object("json_schema");
                if (spec == null || spec.raw("schema") == null) {
                    throw ApiException.badRequest("response_format", "response_format.json_schema.schema is required");
                }
                try {
                    yield JsonSchema.parse(spec.raw("schema"));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("response_format", "response_format.json_schema." + e.getMessage());
                }
            }
            default -> throw ApiException.badRequest("response_format", "response_format.type must be text, "
                    + "json_object or json_schema, got '" + type + "'");
        };
    }

    /** OpenAI's logit_bias: token ids as JSON object keys, biases as numbers. */
    private static Map<Integer, Float> logitBias(Fields bias) {
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (String key : bias.names()) {
            int token;
            try {
                token = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("logit_bias", "logit_bias keys must be token ids, got '" + key + "'");
            }
            if (!(bias.raw(key) instanceof Number n)) {
                throw ApiException.badRequest("logit_bias", "logit_bias values must be numbers, got " + bias.raw(key)
                        + " for token " + key);
            }
            out.put(token, n.floatValue());
        }
        return out;
    }

    /**
     * Chat: {@code logprobs} true/false and {@code top_logprobs} 0..20; completions: {@code logprobs} the number of
     * top alternatives (0..20; OpenAI allows 5). Null when none are asked for.
     */
    private static LogprobsRecorder logprobs(Fields body, boolean chat) {
        int top;
        if (chat) {
            boolean on = body.bool("logprobs", false);
            Integer k = body.integer("top_logprobs");
            if (k != null && !on) {
                throw ApiException.badRequest("top_logprobs", "top_logprobs needs logprobs: true");
            }
            if (!on) {
                return null;
            }
            top = k == null ? 0 : k;
        } else {
            Integer k = body.integer("logprobs");
            if (k == null) {
                return null;
            }
            top = k;
        }
        String param = chat ? "top_logprobs" : "logprobs";
        if (top < 0 || top > LogprobsRecorder.MAX_TOP) {
            throw ApiException.badRequest(param, "'" + param + "' must be between 0 and " + LogprobsRecorder.MAX_TOP
                    + ", got " + top);
        }
        return new LogprobsRecorder(top);
    }

    private static SamplingParams samplingParams(Fields body, int room, int promptTokens) {
        String maxField = body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        Integer max = body.integer(maxField);
        if (max != null && max < 1) {
            throw ApiException.badRequest(maxField, "'" + maxField + "' must be at least 1, got " + max);
        }
        if (max != null && max > room) {
            throw ApiException.badRequest(maxField, "context_length_exceeded", "'" + maxField + "' is " + max
                    + " but the prompt's " + promptTokens + " tokens leave room for at most " + room);
        }
        Long seed = body.longInteger("seed");
        Integer topK = body.integer("top_k");
        try {
            return new SamplingParams(
                    (float) body.number("temperature", 1.0),
                    topK == null ? 0 : topK,
                    (float) body.number("top_p", 1.0),
                    seed,
                    max == null ? room : max, // without a limit: until a stop or the context is full
                    stopStrings(body));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String param = message.substring(0, Math.max(0, message.indexOf(' ')));
            throw ApiException.badRequest(param.equals("max_tokens") ? maxField : param, message);
        }
    }

    private static List<String> stopStrings(Fields body) {
        Object stop = body.raw("stop");
        if (stop == null) {
            return List.of();
        }
        if (stop instanceof String s) {
            return List.of(s);
        }
        if (stop instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw ApiException.badRequest("stop", "'stop' must be a string or an array of strings");
                }
                out.add(s);
            }
            return out;
        }
        throw ApiException.badRequest("stop", "'stop' must be a string or an array of strings");
    }

    private static int[] chatPrompt(Engine engine, Fields body, ToolCalls tools) {
        List<?> messages = body.list("messages");
        if (messages == null || messages.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' is required and must not be empty");
        }
        if (!engine.supportsChat()) {
            throw ApiException.badRequest("messages", "model '" + engine.modelName()
                    + "' has no chat vocabulary; use /v1/completions");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            if (!(messages.get(i) instanceof Map<?, ?>)) {
                throw ApiException.badRequest(where, "'" + where + "' must be an object");
            }
            Fields m = Fields.of(messages.get(i));
            String role = m.string("role");
            if (role == null) {
                throw ApiException.badRequest(where + ".role", "'" + where + ".role' is required");
            }
            role = switch (role) {
                case "system", "developer" -> "system"; // "developer" is OpenAI's newer name for system
                case "user", "assistant" -> role;
                case "tool" -> "ipython"; // Llama 3.1's role for tool results
                default -> throw ApiException.badRequest(where + ".role", "role '" + role
                        + "' is not supported (system, developer, user, assistant, tool)");
            };
            List<?> calls = m.list("tool_calls");
            if (calls != null && !calls.isEmpty()) {
                if (!role.equals("assistant")) {
                    throw ApiException.badRequest(where + ".tool_calls", "only assistant messages have tool_calls");
                }
                out.add(new ChatMessage(role, ToolCalls.renderCalls(calls, where)));
            } else {
                out.add(new ChatMessage(role, content(m, where)));
            }
        }
        if (tools != null && tools.callsPossible()) {
            // The tools go first, as a system message of their own after any system prompt's text.
            if (!out.isEmpty() && out.getFirst().role().equals("system")) {
                out.set(0, new ChatMessage("system", out.getFirst().content() + "\n\n" + tools.systemPrompt()));
            } else {
                out.addFirst(new ChatMessage("system", tools.systemPrompt()));
            }
        }
        return engine.encodeChat(out);
    }

    /** A message's content: a string, or an array of text parts (what clients send for multi-part messages). */
    private static String content(Fields m, String where) {
        Object content = m.raw("content");
        if (content == null) {
            throw ApiException.badRequest(where + ".content", "'" + where + ".content' is required");
        }
        if (content instanceof String s) {
            return s;
        }
        if (content instanceof List<?> parts) {
            StringBuilder text = new StringBuilder();
            for (Object part : parts) {
                if (!(part instanceof Map<?, ?>)) {
                    throw ApiException.badRequest(where + ".content", "content parts must be objects");
                }
                Fields p = Fields.of(part);
                if (!"text".equals(p.string("type"))) {
                    throw ApiException.badRequest(where + ".content", "only text content parts are supported, got '"
                            + p.string("type") + "'");
                }
                text.append(p.requiredString("text"));
            }
            return text.toString();
        }
        throw ApiException.badRequest(where + ".content", "'" + where + ".content' must be a string or an array");
    }

    /** A prompt string, an array of one string, or an array of token ids. */
    private static int[] completionPrompt(Engine engine, Fields body) {
        Object prompt = body.raw("prompt");
        if (prompt instanceof String s) {
            return engine.encodePrompt(s);
        }
        if (prompt instanceof List<?> list && !list.isEmpty()) {
            if (list.size() == 1 && list.getFirst() instanceof String s) {
                return engine.encodePrompt(s);
            }
            return tokenIds(list, "prompt", engine.tokenizer().vocabSize());
        }
        throw ApiException.badRequest("prompt", "'prompt' is required: a string, an array of one string, or an "
                + "array of token ids");
    }

    static int[] tokenIds(List<?> list, String param, int vocabSize) {
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0 || l >= vocabSize) {
                throw ApiException.badRequest(param, "'" + param + "' must hold token ids between 0 and "
                        + (vocabSize - 1) + ", got " + list.get(i) + " at index " + i);
            }
            ids[i] = (int) (long) l;
        }
        return ids;
    }
}
