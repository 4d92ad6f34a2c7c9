package dev.watchllm.limit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.watchllm.openai.SseEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads {@code usage} from what a provider answered: the top-level {@code usage} of a plain body,
 * or of a stream's usage chunk (the last event that carries a non-null one). Streams the JSON and
 * skips everything else, so a long answer costs one pass and no tree.
 */
final class UsageReader {
    private static final JsonFactory JSON = new JsonFactory();

    private UsageReader() {
    }

    /** The usage reported, or null when there is none (an error, a cut-off stream). */
    static TokenUsage read(byte[] body, List<byte[]> events) {
        if (body != null && body.length > 0) return fromJson(body);
        if (events == null) return null;
        // the usage chunk is the last one before [DONE]; a cut-off stream has none, so look no further back
        for (int i = events.size() - 1; i >= Math.max(0, events.size() - 4); i--) {
            byte[] e = events.get(i);
            if (SseEvents.isDone(e)) continue;
            String data = SseEvents.data(e);
            if (data == null) continue;
            TokenUsage u = fromJson(data.getBytes(StandardCharsets.UTF_8));
            if (u != null) return u;
        }
        return null;
    }

    private static TokenUsage fromJson(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            return top(p);
        } catch (IOException | IllegalArgumentException e) {
            return null; // not JSON, or nonsense counts: treated as "no usage reported"
        }
    }

    private static TokenUsage top(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) return null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("usage".equals(name) && v == JsonToken.START_OBJECT) return usage(p);
            p.skipChildren();
        }
        return null;
    }

    private static TokenUsage usage(JsonParser p) throws IOException {
        long prompt = -1;
        long completion = 0;
        long total = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NUMBER_INT) {
                switch (name) {
                    case "prompt_tokens": case "input_tokens": prompt = p.getLongValue(); break;
                    case "completion_tokens": case "output_tokens": completion = p.getLongValue(); break;
                    case "total_tokens": total = p.getLongValue(); break;
                    default: break;
                }
            } else {
                p.skipChildren();
            }
        }
        if (prompt < 0 && total < 0) return null;
        if (prompt < 0) prompt = Math.max(0, total - completion);
        if (total < 0) total = prompt + completion;
        return new TokenUsage(prompt, completion, total);
    }
}
