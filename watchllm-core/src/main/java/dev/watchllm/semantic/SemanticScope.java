package dev.watchllm.semantic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a request may find a semantic hit: its project, the hash of its whole context (the
 * {@code partition}) and the one thing that may differ between two requests that share an
 * answer, the wording of the last user message ({@code text}).
 *
 * <p>The partition is the SHA-256 of the request body in a canonical form (object keys sorted,
 * numbers compared by value: {@code 0.7 == 0.70}) without the last message's content. So the
 * model, the system prompt, every earlier message, {@code tools}, {@code tool_choice},
 * {@code response_format}, {@code seed}, {@code temperature}, {@code top_p}, {@code max_tokens},
 * {@code stop} and any parameter a provider adds later must all be identical. Left out, because
 * they do not change the answer: {@code stream}, {@code stream_options}, {@code user},
 * {@code metadata}, {@code store}, {@code service_tier}, {@code prompt_cache_key},
 * {@code safety_identifier}; {@code n: 1} counts as no {@code n}.
 *
 * <p>Not eligible (the request goes to the exact cache and the provider only):
 * <ul>
 * <li>endpoints other than {@code /chat/completions} and {@code /completions};</li>
 * <li>a last message that is not the user's (a tool result, an assistant prefill);</li>
 * <li>content that is not text: images, audio, files (text parts alone are joined by newlines);</li>
 * <li>{@code n > 1} (the client asked for several different samples);</li>
 * <li>{@code temperature > 1}: the client asked for variety, and another wording deserves its own
 *     sample (at {@code temperature <= 1}, or unset, the temperature is simply part of the context);</li>
 * <li>{@code echo: true} on {@code /completions} (the answer repeats the prompt's wording) and a
 *     {@code prompt} that is not one string;</li>
 * <li>a blank message, or one longer than {@value #MAX_TEXT_CHARS} characters.</li>
 * </ul>
 */
public record SemanticScope(String projectId, String partition, String text, String notEligible) {
    /** Longer messages are not matched semantically: the embedding would see only their start. */
    public static final int MAX_TEXT_CHARS = 2000;

    private static final Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store",
            "service_tier", "prompt_cache_key", "safety_identifier");
    private static final BigDecimal ONE = BigDecimal.ONE;

    public SemanticScope {
        Objects.requireNonNull(projectId, "projectId");
    }

    /** True when the request may be answered by, and stored for, a semantic match. */
    public boolean eligible() {
        return notEligible == null;
    }

    /** The scope of {@code request} in {@code projectId}; never null, possibly not eligible. */
    public static SemanticScope of(String projectId, ParsedRequest request) {
        Endpoint endpoint = request.endpoint();
        ObjectNode body = request.body();
        if (endpoint != Endpoint.CHAT_COMPLETIONS && endpoint != Endpoint.COMPLETIONS) {
            return no(projectId, "only chat and text completions are matched semantically");
        }
        JsonNode n = body.get("n");
        if (n != null && n.isNumber() && n.asLong() > 1) return no(projectId, "n > 1 asks for several samples");
        JsonNode t = body.get("temperature");
        if (t != null && t.isNumber() && t.decimalValue().compareTo(ONE) > 0) {
            return no(projectId, "temperature > 1 asks for variety");
        }
        String text;
        if (endpoint == Endpoint.CHAT_COMPLETIONS) {
            JsonNode messages = body.get("messages");
            if (messages == null || !messages.isArray() || messages.isEmpty()) return no(projectId, "no messages");
            JsonNode last = messages.get(messages.size() - 1);
            if (!"user".equals(last.path("role").asText())) return no(projectId, "the last message is not the user's");
            text = textOf(last.get("content"));
            if (text == null) return no(projectId, "the last message is not plain text");
        } else {
            if (body.path("echo").asBoolean(false)) return no(projectId, "echo repeats the prompt's wording");
            JsonNode prompt = body.get("prompt");
            if (prompt == null || !prompt.isTextual()) return no(projectId, "the prompt is not one string");
            text = prompt.asText();
        }
        if (text.isBlank()) return no(projectId, "the message is blank");
        if (text.length() > MAX_TEXT_CHARS) return no(projectId, "the message is longer than " + MAX_TEXT_CHARS + " characters");
        return new SemanticScope(projectId, contextHash(endpoint, body), text, null);
    }

    private static SemanticScope no(String projectId, String reason) {
        return new SemanticScope(projectId, null, null, reason);
    }

    /** The text of a message's content: a string, or text parts joined by newlines; null for anything else. */
    private static String textOf(JsonNode content) {
        if (content == null) return null;
        if (content.isTextual()) return content.asText();
        if (!content.isArray() || content.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) return null;
            if (sb.length() > 0) sb.append('\n');
            sb.append(part.get("text").asText());
        }
        return sb.toString();
    }

    private static String contextHash(Endpoint endpoint, ObjectNode body) {
        Canonical c = new Canonical();
        c.string(endpoint.path());
        List<String> names = new ArrayList<>();
        body.fieldNames().forEachRemaining(names::add);
        Collections.sort(names);
        for (String name : names) {
            if (IGNORED.contains(name)) continue;
            JsonNode v = body.get(name);
            if (name.equals("n") && v.isNumber() && v.asLong() == 1) continue;
            c.string(name);
            if (endpoint == Endpoint.CHAT_COMPLETIONS && name.equals("messages")) {
                c.tag('[');
                for (int i = 0; i < v.size(); i++) {
                    if (i == v.size() - 1) {
                        c.objectWithout(v.get(i), "content"); // only the last message's wording may differ
                    } else {
                        c.value(v.get(i));
                    }
                }
                c.tag(']');
            } else if (endpoint == Endpoint.COMPLETIONS && name.equals("prompt")) {
                c.tag('p');
            } else {
                c.value(v);
            }
        }
        return HexFormat.of().formatHex(c.digest(), 0, 16);
    }

    /** Feeds a JSON tree to SHA-256 in a canonical, unambiguous form (length-prefixed strings, sorted keys). */
    private static final class Canonical {
        private final MessageDigest sha;

        Canonical() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
        }

        void tag(char c) {
            sha.update((byte) c);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            tag('s');
            sha.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
            tag(':');
            sha.update(b);
        }

        void objectWithout(JsonNode n, String skipped) {
            if (!n.isObject()) {
                value(n);
                return;
            }
            tag('{');
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
            fields.sort(Map.Entry.comparingByKey());
            for (Map.Entry<String, JsonNode> f : fields) {
                if (f.getKey().equals(skipped)) continue;
                string(f.getKey());
                value(f.getValue());
            }
            tag('}');
        }

        void value(JsonNode n) {
            if (n.isObject()) {
                objectWithout(n, null);
            } else if (n.isArray()) {
                tag('[');
                for (JsonNode e : n) value(e);
                tag(']');
            } else if (n.isTextual()) {
                string(n.asText());
            } else if (n.isNumber()) {
                tag('n');
                string(n.decimalValue().stripTrailingZeros().toPlainString());
            } else if (n.isBoolean()) {
                tag(n.asBoolean() ? 't' : 'f');
            } else {
                tag('0');
            }
        }

        byte[] digest() {
            return sha.digest();
        }
    }
}
