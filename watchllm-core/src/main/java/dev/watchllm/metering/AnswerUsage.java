package dev.watchllm.metering;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.SseEvents;
import java.io.IOException;
import java.util.List;

/**
 * Reads the model and the token usage of an answer: the {@code usage} object of a JSON body, or
 * of a stream's usage chunk (OpenAI sends it last when asked; Groq puts it in {@code x_groq}).
 * When a provider reports none, {@link #estimate} counts about 4 characters per token.
 */
public final class AnswerUsage {
    /** What an answer says about itself; {@code usage} is null when it reports none. */
    public record Found(String model, TokenUsage usage) {
    }

    static final Found NOTHING = new Found(null, null);
    /** The usage chunk comes at the end: look this many data events back from the last one. */
    private static final int TAIL_EVENTS = 6;

    private AnswerUsage() {
    }

    /** The usage an answer reported (a plain body, else a stream's events), or null when it reported none. */
    public static TokenUsage read(byte[] body, List<byte[]> events) {
        Found f = body != null && body.length > 0 ? ofBody(body) : ofEvents(events);
        return f.usage();
    }

    /** Model and usage of a whole JSON answer, reading only its top-level {@code model} and {@code usage}. */
    public static Found ofBody(byte[] body) {
        if (body == null || body.length == 0) return NOTHING;
        try (JsonParser p = UsageJson.MAPPER.createParser(body)) {
            return top(p);
        } catch (IOException | RuntimeException e) {
            return NOTHING;
        }
    }

    private static Found top(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) return NOTHING;
        String model = null;
        TokenUsage usage = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if ("model".equals(f) && t == JsonToken.VALUE_STRING) {
                model = p.getText();
            } else if ("usage".equals(f) && t == JsonToken.START_OBJECT) {
                usage = TokenUsage.fromJson(p.readValueAsTree());
            } else if ("x_groq".equals(f) && t == JsonToken.START_OBJECT) {
                JsonNode x = p.readValueAsTree();
                if (usage == null) usage = TokenUsage.fromJson(x.get("usage"));
            } else {
                p.skipChildren();
            }
        }
        return new Found(model, usage);
    }

    /** Model and usage of a stream: the usage chunk near the end, else the model of the first chunk. */
    public static Found ofEvents(List<byte[]> events) {
        if (events == null || events.isEmpty()) return NOTHING;
        int looked = 0;
        for (int i = events.size() - 1; i >= 0 && looked < TAIL_EVENTS; i--) {
            String data = SseEvents.data(events.get(i));
            if (data == null || data.startsWith("[DONE]")) continue;
            looked++;
            Found f = ofData(data);
            if (f.usage() != null) return f;
        }
        for (byte[] e : events) {
            String data = SseEvents.data(e);
            if (data == null || data.startsWith("[DONE]")) continue;
            Found f = ofData(data);
            if (f.model() != null) return new Found(f.model(), null);
        }
        return NOTHING;
    }

    private static Found ofData(String data) {
        try (JsonParser p = UsageJson.MAPPER.createParser(data)) {
            return top(p);
        } catch (IOException | RuntimeException e) {
            return NOTHING;
        }
    }

    /** Estimated tokens of an answer that reported no usage: the request's text in, the answer's text out. */
    static TokenUsage estimate(ParsedRequest req, byte[] body, List<byte[]> events) {
        long in = inputTokens(req);
        long outChars = 0;
        if (body != null) {
            try {
                outChars = answerChars(UsageJson.MAPPER.readTree(body), "message");
            } catch (IOException | RuntimeException e) {
                outChars = 0;
            }
        } else if (events != null) {
            for (byte[] e : events) {
                String data = SseEvents.data(e);
                if (data == null || data.startsWith("[DONE]")) continue;
                try {
                    outChars += answerChars(UsageJson.MAPPER.readTree(data), "delta");
                } catch (IOException | RuntimeException ex) {
                    // not JSON (a comment, an error text): no tokens in it
                }
            }
        }
        return new TokenUsage(in, 0, tokens(outChars), 0, true);
    }

    static long inputTokens(ParsedRequest req) {
        JsonNode b = req.body();
        long chars = 0;
        long extra = 0;
        for (JsonNode m : b.path("messages")) {
            extra += 4; // role and separators, as OpenAI's chat format adds per message
            chars += textChars(m.get("content"));
            for (JsonNode tc : m.path("tool_calls")) chars += tc.path("function").path("arguments").asText("").length();
        }
        chars += textChars(b.get("prompt"));
        JsonNode input = b.get("input");
        if (input != null && input.isArray() && !input.isEmpty() && (input.get(0).isNumber() || input.get(0).isArray())) {
            for (JsonNode x : input) extra += x.isArray() ? x.size() : 1; // token ids: the count is exact
        } else {
            chars += textChars(input);
        }
        return tokens(chars) + extra;
    }

    private static long answerChars(JsonNode answer, String part) {
        long chars = 0;
        for (JsonNode c : answer.path("choices")) {
            JsonNode m = c.path(part);
            chars += textChars(m.get("content"));
            chars += m.path("reasoning_content").asText("").length();
            for (JsonNode tc : m.path("tool_calls")) chars += tc.path("function").path("arguments").asText("").length();
            chars += c.path("text").asText("").length();
        }
        return chars;
    }

    /** Characters of a string, an array of strings, or an array of content parts ({@code {"type":"text","text":...}}). */
    private static long textChars(JsonNode n) {
        if (n == null || n.isNull()) return 0;
        if (n.isTextual()) return n.asText().length();
        long chars = 0;
        if (n.isArray()) {
            for (JsonNode x : n) {
                if (x.isTextual()) chars += x.asText().length();
                else if (x.isObject()) chars += x.path("text").asText("").length();
            }
        }
        return chars;
    }

    private static long tokens(long chars) {
        return (chars + 3) / 4;
    }
}
