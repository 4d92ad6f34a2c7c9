package dev.watchllm.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.openai.SseEvents;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the SSE events of a complete streamed answer into the JSON body the same request would
 * have got without {@code stream}: {@code chat.completion} (content, refusal, tool calls,
 * logprobs, finish reason per choice) or {@code text_completion}, with the usage of the usage
 * chunk. A stream that is not a complete answer (an error event, no choices, a choice without
 * finish reason) does not assemble.
 */
public final class StreamAssembler {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StreamAssembler() {
    }

    /** The plain body, or null when {@code events} are not a complete chat or text completion. */
    public static byte[] assemble(Endpoint endpoint, List<byte[]> events) {
        if (endpoint != Endpoint.CHAT_COMPLETIONS && endpoint != Endpoint.COMPLETIONS) return null;
        boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
        ObjectMapper m = RequestParser.mapper();
        ObjectNode out = null;
        JsonNode usage = null;
        Map<Integer, Choice> choices = new TreeMap<>();
        try {
            for (byte[] e : events) {
                String data = SseEvents.data(e);
                if (data == null) continue; // a comment or keep-alive
                if (data.trim().equals("[DONE]")) break;
                JsonNode chunk = m.readTree(data);
                if (chunk == null || !chunk.isObject() || chunk.has("error")) return null;
                if (out == null) {
                    out = NODES.objectNode();
                    out.set("id", orNull(chunk.get("id")));
                    out.put("object", chat ? "chat.completion" : "text_completion");
                    out.set("created", orNull(chunk.get("created")));
                    out.set("model", orNull(chunk.get("model")));
                }
                copyIfPresent(chunk, out, "system_fingerprint");
                copyIfPresent(chunk, out, "service_tier");
                if (chunk.path("usage").isObject()) usage = chunk.get("usage");
                for (JsonNode c : chunk.path("choices")) {
                    choices.computeIfAbsent(c.path("index").asInt(0), i -> new Choice()).add(c, chat);
                }
            }
        } catch (IOException e) {
            return null;
        }
        if (out == null || choices.isEmpty()) return null;
        ArrayNode list = out.putArray("choices");
        for (Map.Entry<Integer, Choice> c : choices.entrySet()) {
            if (c.getValue().finishReason == null) return null;
            list.add(chat ? c.getValue().chatChoice(c.getKey()) : c.getValue().textChoice(c.getKey()));
        }
        if (usage != null) out.set("usage", usage);
        try {
            return m.writeValueAsBytes(out);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode orNull(JsonNode n) {
        return n != null ? n : NODES.nullNode();
    }

    private static void copyIfPresent(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull() && !to.has(field)) to.set(field, v);
    }

    /** One choice's deltas, accumulated. */
    private static final class Choice {
        String role;
        StringBuilder content;
        StringBuilder refusal;
        final Map<Integer, ObjectNode> tools = new TreeMap<>();
        final Map<Integer, StringBuilder> toolArgs = new TreeMap<>();
        ObjectNode functionCall;
        StringBuilder functionArgs;
        JsonNode finishReason;
        ObjectNode logprobs;

        void add(JsonNode c, boolean chat) {
            JsonNode fr = c.get("finish_reason");
            if (fr != null && !fr.isNull()) finishReason = fr;
            JsonNode lp = c.get("logprobs");
            if (lp != null && lp.isObject()) mergeLogprobs((ObjectNode) lp);
            if (!chat) {
                append(c.get("text"));
                return;
            }
            JsonNode d = c.path("delta");
            if (d.path("role").isTextual()) role = d.get("role").asText();
            append(d.get("content"));
            JsonNode r = d.get("refusal");
            if (r != null && r.isTextual()) {
                if (refusal == null) refusal = new StringBuilder();
                refusal.append(r.asText());
            }
            for (JsonNode t : d.path("tool_calls")) {
                int i = t.path("index").asInt(0);
                ObjectNode tool = tools.computeIfAbsent(i, k -> NODES.objectNode());
                StringBuilder args = toolArgs.computeIfAbsent(i, k -> new StringBuilder());
                if (t.path("id").isTextual()) tool.put("id", t.get("id").asText());
                if (t.path("type").isTextual()) tool.put("type", t.get("type").asText());
                JsonNode f = t.path("function");
                if (f.path("name").isTextual()) tool.put("name", f.get("name").asText());
                if (f.path("arguments").isTextual()) args.append(f.get("arguments").asText());
            }
            JsonNode fc = d.get("function_call");
            if (fc != null && fc.isObject()) {
                if (functionCall == null) {
                    functionCall = NODES.objectNode();
                    functionArgs = new StringBuilder();
                }
                if (fc.path("name").isTextual()) functionCall.put("name", fc.get("name").asText());
                if (fc.path("arguments").isTextual()) functionArgs.append(fc.get("arguments").asText());
            }
        }

        private void append(JsonNode piece) {
            if (piece == null || !piece.isTextual()) return;
            if (content == null) content = new StringBuilder();
            content.append(piece.asText());
        }

        /** Logprob arrays of successive chunks concatenate (chat: content/refusal; text: tokens, offsets, ...). */
        private void mergeLogprobs(ObjectNode lp) {
            if (logprobs == null) {
                logprobs = lp.deepCopy();
                return;
            }
            for (Map.Entry<String, JsonNode> f : lp.properties()) {
                JsonNode have = logprobs.get(f.getKey());
                if (have instanceof ArrayNode && f.getValue().isArray()) {
                    ((ArrayNode) have).addAll((ArrayNode) f.getValue());
                } else if (have == null || have.isNull()) {
                    logprobs.set(f.getKey(), f.getValue());
                }
            }
        }

        ObjectNode chatChoice(int index) {
            ObjectNode c = NODES.objectNode();
            c.put("index", index);
            ObjectNode msg = c.putObject("message");
            msg.put("role", role != null ? role : "assistant");
            // with tool calls and no text, OpenAI answers content null, not ""
            boolean noText = content == null || (content.length() == 0 && (!tools.isEmpty() || functionCall != null));
            if (noText) msg.putNull("content"); else msg.put("content", content.toString());
            if (refusal != null) msg.put("refusal", refusal.toString()); else msg.putNull("refusal");
            if (!tools.isEmpty()) {
                ArrayNode calls = msg.putArray("tool_calls");
                for (Map.Entry<Integer, ObjectNode> t : tools.entrySet()) {
                    ObjectNode call = calls.addObject();
                    call.set("id", orNull(t.getValue().get("id")));
                    call.put("type", t.getValue().path("type").asText("function"));
                    ObjectNode fn = call.putObject("function");
                    fn.set("name", orNull(t.getValue().get("name")));
                    fn.put("arguments", toolArgs.get(t.getKey()).toString());
                }
            }
            if (functionCall != null) {
                ObjectNode fn = msg.putObject("function_call");
                fn.set("name", orNull(functionCall.get("name")));
                fn.put("arguments", functionArgs.toString());
            }
            c.set("logprobs", logprobs != null ? logprobs : NODES.nullNode());
            c.set("finish_reason", finishReason);
            return c;
        }

        ObjectNode textChoice(int index) {
            ObjectNode c = NODES.objectNode();
            c.put("text", content != null ? content.toString() : "");
            c.put("index", index);
            c.set("logprobs", logprobs != null ? logprobs : NODES.nullNode());
            c.set("finish_reason", finishReason);
            return c;
        }
    }
}
