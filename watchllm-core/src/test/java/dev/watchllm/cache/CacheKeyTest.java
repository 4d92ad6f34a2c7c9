package dev.watchllm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.RequestParser;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    static final String BASE = "{\"model\":\"gpt-4o-mini\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    static String key(String json) {
        return key("p1", Endpoint.CHAT_COMPLETIONS, json);
    }

    static String key(String project, Endpoint ep, String json) {
        try {
            return CacheKey.of(project, ep, (ObjectNode) RequestParser.mapper().readTree(json));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void isSha256Hex() {
        String k = key(BASE);
        assertEquals(64, k.length());
        assertTrue(k.matches("[0-9a-f]{64}"));
        assertEquals(k, key(BASE), "stable");
    }

    @Test
    void keyOrderWhitespaceAndNumberSpellingDoNotMatter() {
        String k = key(BASE);
        assertEquals(k, key("{ \"messages\" : [ { \"content\":\"Hi\", \"role\":\"user\" } ],\n \"temperature\": 0.70, \"model\":\"gpt-4o-mini\" }"));
        assertEquals(k, key("{\"model\":\"gpt-4o-mini\",\"temperature\":7e-1,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
        String one = key("{\"model\":\"m\",\"messages\":[],\"max_tokens\":1}");
        assertEquals(one, key("{\"model\":\"m\",\"messages\":[],\"max_tokens\":1.0}"));
        assertEquals(one, key("{\"model\":\"m\",\"messages\":[],\"max_tokens\":1e0}"));
        assertEquals(key("{\"model\":\"m\",\"seed\":10000000000000000}"), key("{\"model\":\"m\",\"seed\":1e16}"));
        assertEquals(key("{\"model\":\"m\",\"temperature\":0}"), key("{\"model\":\"m\",\"temperature\":-0.0}"));
    }

    @Test
    void excludedFieldsDoNotMatter() {
        String k = key(BASE);
        for (String extra : new String[] {"\"stream\":true", "\"stream_options\":{\"include_usage\":true}", "\"user\":\"u-42\"",
                "\"safety_identifier\":\"x\"", "\"prompt_cache_key\":\"pk\"", "\"metadata\":{\"a\":\"b\"}", "\"store\":true"}) {
            assertEquals(k, key(BASE.substring(0, BASE.length() - 1) + "," + extra + "}"), extra);
        }
    }

    @Test
    void exclusionsApplyAtTheTopLevelOnly() {
        String a = key("{\"model\":\"m\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"user\":1}}}}");
        String b = key("{\"model\":\"m\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"user\":2}}}}");
        assertNotEquals(a, b);
    }

    @Test
    void everyOtherFieldCounts() {
        String k = key(BASE);
        for (String extra : new String[] {"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "\"tool_choice\":\"auto\"",
                "\"response_format\":{\"type\":\"json_object\"}", "\"seed\":1", "\"max_tokens\":5", "\"n\":2", "\"top_p\":0.5",
                "\"logprobs\":true", "\"service_tier\":\"flex\""}) {
            assertNotEquals(k, key(BASE.substring(0, BASE.length() - 1) + "," + extra + "}"), extra);
        }
        assertNotEquals(k, key(BASE.replace("0.7", "0.8")));
        assertNotEquals(k, key(BASE.replace("\"content\":\"Hi\"", "\"content\":\"Hi\",\"name\":\"bob\"")));
        assertNotEquals(k, key(BASE.replace("\"content\":\"Hi\"", "\"content\":\"Hi \"")));
        assertNotEquals(k, key(BASE.replace("gpt-4o-mini", "gpt-4o")));
        String withCalls = "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]}";
        assertNotEquals(key(withCalls), key(withCalls.replace("\"c1\"", "\"c2\"")));
    }

    @Test
    void typesAndStructureAreNotConfused() {
        assertNotEquals(key("{\"model\":\"m\",\"seed\":1}"), key("{\"model\":\"m\",\"seed\":\"1\"}"));
        assertNotEquals(key("{\"model\":\"m\",\"x\":null}"), key("{\"model\":\"m\"}"));
        assertNotEquals(key("{\"model\":\"m\",\"x\":true}"), key("{\"model\":\"m\",\"x\":\"true\"}"));
        assertNotEquals(key("{\"model\":\"m\",\"x\":[\"ab\",\"c\"]}"), key("{\"model\":\"m\",\"x\":[\"a\",\"bc\"]}"));
        assertNotEquals(key("{\"model\":\"m\",\"x\":[1,2]}"), key("{\"model\":\"m\",\"x\":[2,1]}"), "array order counts");
        assertNotEquals(key("{\"model\":\"m\",\"x\":{\"a\":\"b\"}}"), key("{\"model\":\"m\",\"x\":[\"a\",\"b\"]}"));
        assertNotEquals(key("{\"model\":\"m\",\"x\":\"é\"}"), key("{\"model\":\"m\",\"x\":\"e\"}"));
    }

    @Test
    void projectAndEndpointAreInTheKey() {
        String body = "{\"model\":\"m\",\"input\":\"hello\"}";
        assertNotEquals(key("p1", Endpoint.EMBEDDINGS, body), key("p2", Endpoint.EMBEDDINGS, body));
        assertNotEquals(key("p1", Endpoint.EMBEDDINGS, body), key("p1", Endpoint.COMPLETIONS, body));
        // a project id cannot run into the body: every part is length-prefixed
        assertNotEquals(key("ab", Endpoint.EMBEDDINGS, body), key("a", Endpoint.EMBEDDINGS, body));
    }

    @Test
    void embeddingOptionsCount() {
        String body = "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}";
        String k = key("p", Endpoint.EMBEDDINGS, body);
        assertNotEquals(k, key("p", Endpoint.EMBEDDINGS, body.replace("}", ",\"dimensions\":256}")));
        assertNotEquals(k, key("p", Endpoint.EMBEDDINGS, body.replace("}", ",\"encoding_format\":\"base64\"}")));
        assertNotEquals(k, key("p", Endpoint.EMBEDDINGS, body.replace("hello", "hello!")));
    }

    @Test
    void deepAndWideBodiesWork() {
        StringBuilder wide = new StringBuilder("{\"model\":\"m\"");
        for (int i = 0; i < 200; i++) wide.append(",\"f").append(i).append("\":{\"z\":").append(i).append(",\"a\":[").append(i).append("]}");
        String w = wide.append('}').toString();
        assertEquals(key(w), key(w));
        String big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(100_000) + "\"}]}";
        assertNotEquals(key(big), key(big.replace("xxx\"", "xxy\"")));
    }

    @Test
    void numbersHaveOneSpelling() throws Exception {
        assertEquals("1", CacheKey.number(RequestParser.mapper().readTree("1.0")));
        assertEquals("0.7", CacheKey.number(RequestParser.mapper().readTree("0.70")));
        assertEquals("-3", CacheKey.number(RequestParser.mapper().readTree("-3e0")));
        assertEquals("123456789012345678901234567890", CacheKey.number(RequestParser.mapper().readTree("123456789012345678901234567890")));
    }
}
