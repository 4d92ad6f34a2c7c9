package dev.watchllm.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.RequestParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a complete plain answer as the SSE stream the same request would have got with
 * {@code stream: true}: per choice a role chunk, the content in chunks of at most
 * {@value #PIECE} characters, a refusal chunk, one chunk per tool call (id, name and the whole
 * arguments), a finish chunk; then the usage chunk ({@code "choices":[]}) when the answer has
 * usage, and {@code [DONE]}. Every event is {@code data: <json>} ended by a blank line. The caller
 * drops the usage chunk when the client did not ask for it, as for a live stream.
 */
public final class SseReplayer {
    /** Characters per content chunk: small enough to render progressively, large enough to be cheap. */
    static final int PIECE = 256;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseReplayer() {
    }

    /** The events, or null when {@code body} is not a chat or text completion with choices. */
    public static List<byte[]> replay(Endpoint endpoint, byte[] body) {
        if (endpoint != Endpoint.CHAT_COMPLETIONS && endpoint != Endpoint.COMPLETIONS) return null;
        boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
        ObjectMapper m = RequestParser.mapper();
        JsonNode root;
        try {
            root = m.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject() || !root.path("choices").isArray() || root.path("choices").isEmpty()) return null;
        ObjectNode head = NODES.objectNode();
        head.set("id", field(root, "id"));
        head.put("object", chat ? "chat.completion.chunk" : "text_completion");
        head.set("created", field(root, "created"));
        head.set("model", field(root, "model"));
        if (root.hasNonNull("system_fingerprint")) head.set("system_fingerprint", root.get("system_fingerprint"));
        if (root.hasNonNull("service_tier")) head.set("service_tier", root.get("service_tier"));
        Events out = new Events(m, head);
        try {
            for (JsonNode c : root.get("choices")) {
                if (chat) chat(out, c); else text(out, c);
            }
            if (root.path("usage").isObject()) {
                ObjectNode u = head.deepCopy();
                u.putArray("choices");
                u.set("usage", root.get("usage"));
                out.add(u);
            }
        } catch (IOException e) {
            return null;
        }
        out.list.add(DONE);
        return List.copyOf(out.list);
    }

    private static void chat(Events out, JsonNode c) throws IOException {
        int index = c.path("index").asInt(0);
        JsonNode msg = c.path("message");
        JsonNode content = msg.get("content");
        boolean text = content != null && content.isTextual();
        ObjectNode role = NODES.objectNode();
        role.put("role", msg.path("role").asText("assistant"));
        if (text) role.put("content", ""); else role.putNull("content");
        role.putNull("refusal");
        out.add(out.chatChunk(index, role, null, null));
        JsonNode refusal = msg.get("refusal");
        if (refusal != null && refusal.isTextual()) {
            out.add(out.chatChunk(index, NODES.objectNode().put("refusal", refusal.asText()), null, null));
        }
        JsonNode logprobs = c.get("logprobs");
        boolean withLogprobs = logprobs != null && !logprobs.isNull();
        if (text && !content.asText().isEmpty()) {
            if (withLogprobs) {
                // logprobs belong to tokens: kept whole with the content they describe
                out.add(out.chatChunk(index, NODES.objectNode().put("content", content.asText()), logprobs, null));
            } else {
                for (String piece : pieces(content.asText())) {
                    out.add(out.chatChunk(index, NODES.objectNode().put("content", piece), null, null));
                }
            }
        }
        JsonNode tools = msg.get("tool_calls");
        if (tools != null && tools.isArray()) {
            for (int k = 0; k < tools.size(); k++) {
                JsonNode t = tools.get(k);
                ObjectNode call = NODES.objectNode();
                call.put("index", k);
                call.set("id", field(t, "id"));
                call.put("type", t.path("type").asText("function"));
                ObjectNode fn = call.putObject("function");
                fn.set("name", field(t.path("function"), "name"));
                fn.put("arguments", t.path("function").path("arguments").asText(""));
                ObjectNode delta = NODES.objectNode();
                delta.putArray("tool_calls").add(call);
                out.add(out.chatChunk(index, delta, null, null));
            }
        }
        JsonNode fc = msg.get("function_call");
        if (fc != null && fc.isObject()) {
            ObjectNode delta = NODES.objectNode();
            delta.set("function_call", fc);
            out.add(out.chatChunk(index, delta, null, null));
        }
        out.add(out.chatChunk(index, NODES.objectNode(), null, field(c, "finish_reason")));
    }

    private static void text(Events out, JsonNode c) throws IOException {
        int index = c.path("index").asInt(0);
        String all = c.path("text").asText("");
        JsonNode logprobs = c.get("logprobs");
        if (logprobs != null && !logprobs.isNull()) {
            out.add(out.textChunk(index, all, logprobs, null));
        } else {
            for (String piece : pieces(all)) out.add(out.textChunk(index, piece, null, null));
        }
        out.add(out.textChunk(index, "", null, field(c, "finish_reason")));
    }

    /** Splits {@code s} into pieces of at most {@link #PIECE} chars, never inside a surrogate pair. */
    static List<String> pieces(String s) {
        List<String> out = new ArrayList<>(s.length() / PIECE + 1);
        int i = 0;
        while (i < s.length()) {
            int end = Math.min(s.length(), i + PIECE);
            if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) end--;
            out.add(s.substring(i, end));
            i = end;
        }
        return out;
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v != null ? v : NODES.nullNode();
    }

    /** The events being built, each {@code data: <json>\n\n}. */
    private static final class Events {
        final ObjectMapper m;
        final ObjectNode head;
        final List<byte[]> list = new ArrayList<>();

        Events(ObjectMapper m, ObjectNode head) {
            this.m = m;
            this.head = head;
        }

        ObjectNode chatChunk(int index, ObjectNode delta, JsonNode logprobs, JsonNode finishReason) {
            ObjectNode chunk = head.deepCopy();
            ObjectNode c = chunk.putArray("choices").addObject();
            c.put("index", index);
            c.set("delta", delta);
            c.set("logprobs", logprobs != null ? logprobs : NODES.nullNode());
            c.set("finish_reason", finishReason != null ? finishReason : NODES.nullNode());
            return chunk;
        }

        ObjectNode textChunk(int index, String text, JsonNode logprobs, JsonNode finishReason) {
            ObjectNode chunk = head.deepCopy();
            ObjectNode c = chunk.putArray("choices").addObject();
            c.put("text", text);
            c.put("index", index);
            c.set("logprobs", logprobs != null ? logprobs : NODES.nullNode());
            c.set("finish_reason", finishReason != null ? finishReason : NODES.nullNode());
            return chunk;
        }

        void add(ObjectNode chunk) throws IOException {
            byte[] json = m.writeValueAsBytes(chunk);
            byte[] ev = new byte[DATA.length + json.length + 2];
            System.arraycopy(DATA, 0, ev, 0, DATA.length);
            System.arraycopy(json, 0, ev, DATA.length, json.length);
            ev[ev.length - 2] = '\n';
            ev[ev.length - 1] = '\n';
            list.add(ev);
        }
    }
}
