package dev.watchllm.semantic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.ConfigException;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SemanticScopeTest {

    private static ParsedRequest chat(String json) {
        RequestParser.Result r = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8));
        if (r.error() != null) throw new AssertionError(r.error().message());
        return r.request();
    }

    private static SemanticScope scope(String json) {
        return SemanticScope.of("p1", chat(json));
    }

    private static String body(String extra, String system, String last) {
        return "{\"model\":\"gpt-4o-mini\"" + extra + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},"
                + "{\"role\":\"user\",\"content\":\"" + last + "\"}]}";
    }

    @Test
    void onlyTheLastUserMessageMayDiffer() {
        SemanticScope a = scope(body("", "Be brief.", "What is the capital of France?"));
        SemanticScope b = scope(body("", "Be brief.", "Tell me the capital city of France."));
        assertTrue(a.eligible() && b.eligible());
        assertEquals(a.partition(), b.partition());
        assertEquals("What is the capital of France?", a.text());
        assertEquals("Tell me the capital city of France.", b.text());
    }

    @Test
    void everyPartOfTheContextSplitsThePartition() {
        String base = scope(body("", "Be brief.", "Q")).partition();
        assertNotEquals(base, scope(body("", "Be verbose.", "Q")).partition(), "system prompt");
        assertNotEquals(base, scope(body("", "Be brief.", "Q").replace("gpt-4o-mini", "gpt-4o")).partition(), "model");
        assertNotEquals(base, scope(body(",\"temperature\":0.2", "Be brief.", "Q")).partition(), "temperature");
        assertNotEquals(base, scope(body(",\"seed\":7", "Be brief.", "Q")).partition(), "seed");
        assertNotEquals(base, scope(body(",\"response_format\":{\"type\":\"json_object\"}", "Be brief.", "Q")).partition(), "response_format");
        assertNotEquals(base, scope(body(",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "Be brief.", "Q")).partition(), "tools");
        assertNotEquals(base, scope(body(",\"tool_choice\":\"none\"", "Be brief.", "Q")).partition(), "tool_choice");
        assertNotEquals(base, scope(body(",\"max_tokens\":5", "Be brief.", "Q")).partition(), "max_tokens");
        String earlier = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"},{\"role\":\"user\",\"content\":\"Q\"}]}";
        assertNotEquals(base, scope(earlier).partition(), "earlier messages");
        assertNotEquals(scope(earlier).partition(), scope(earlier.replace("Hello", "Hello!")).partition(), "an earlier message's wording");
    }

    @Test
    void whatDoesNotChangeTheAnswerDoesNotSplit() {
        String base = scope(body("", "S", "Q")).partition();
        assertEquals(base, scope(body(",\"stream\":true,\"stream_options\":{\"include_usage\":true}", "S", "Q")).partition());
        assertEquals(base, scope(body(",\"user\":\"u-42\",\"metadata\":{\"k\":\"v\"}", "S", "Q")).partition());
        assertEquals(base, scope(body(",\"n\":1", "S", "Q")).partition());
        // numbers by value, keys in any order
        assertEquals(scope(body(",\"temperature\":0.7", "S", "Q")).partition(), scope(body(",\"temperature\":0.70", "S", "Q")).partition());
        String reordered = "{\"messages\":[{\"content\":\"S\",\"role\":\"system\"},{\"content\":\"Q\",\"role\":\"user\"}],\"model\":\"gpt-4o-mini\"}";
        assertEquals(base, scope(reordered).partition());
    }

    @Test
    void theProjectIsPartOfTheScope() {
        ParsedRequest r = chat(body("", "S", "Q"));
        assertEquals("p1", SemanticScope.of("p1", r).projectId());
        assertEquals("p2", SemanticScope.of("p2", r).projectId());
    }

    @Test
    void notEligible() {
        assertFalse(scope(body(",\"n\":2", "S", "Q")).eligible(), "n > 1");
        assertFalse(scope(body(",\"temperature\":1.5", "S", "Q")).eligible(), "temperature > 1");
        assertTrue(scope(body(",\"temperature\":1", "S", "Q")).eligible(), "temperature 1");
        assertFalse(scope(body("", "S", "   ")).eligible(), "blank");
        assertFalse(scope(body("", "S", "x".repeat(SemanticScope.MAX_TEXT_CHARS + 1))).eligible(), "too long");
        assertFalse(scope("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},{\"role\":\"assistant\",\"content\":\"A\"}]}").eligible(),
                "assistant last");
        SemanticScope image = scope("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}]}");
        assertFalse(image.eligible(), "multimodal");
        SemanticScope parts = scope("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"},"
                + "{\"type\":\"text\",\"text\":\"world\"}]}]}");
        assertTrue(parts.eligible());
        assertEquals("Hello\nworld", parts.text());
        RequestParser.Result emb = RequestParser.parse(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertFalse(SemanticScope.of("p1", emb.request()).eligible(), "embeddings");
        RequestParser.Result echo = RequestParser.parse(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\",\"echo\":true}".getBytes(StandardCharsets.UTF_8));
        assertFalse(SemanticScope.of("p1", echo.request()).eligible(), "echo");
        RequestParser.Result prompt = RequestParser.parse(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"Say hi\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals("Say hi", SemanticScope.of("p1", prompt.request()).text());
    }

    @Test
    void configNamesTheEmbedder() {
        String yaml = "projects:\n  - id: a\n    cache: { semantic: { enabled: true, threshold: 0.8, embedder: upstream } }\n"
                + "  - id: b\n    cache: { semantic: { enabled: true } }\n";
        WatchLlmConfig c = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        CacheSettings a = c.project("a").cache();
        assertEquals("upstream", a.semanticEmbedder());
        assertEquals(0.8, a.semanticThreshold());
        assertEquals("local", c.project("b").cache().semanticEmbedder());
        String bad = "projects:\n  - id: a\n    cache: { semantic: { embedder: onnx } }\n";
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("embedder"), e.getMessage());
    }
}
