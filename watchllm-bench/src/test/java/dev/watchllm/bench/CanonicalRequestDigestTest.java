package dev.watchllm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The digest the parse benchmark measures is a real canonical key: same answer, same key; else not. */
class CanonicalRequestDigestTest {
    private final CanonicalRequestDigest digest = new CanonicalRequestDigest();

    private String key(String project, String json) {
        ParsedRequest r = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8)).request();
        return CanonicalRequestDigest.hex(digest.digest(project, r));
    }

    @Test
    void keyOrderNumberFormAndStreamingDoNotChangeTheKey() {
        String a = key("p", "{\"model\":\"m\",\"temperature\":1,\"messages\":[{\"role\":\"user\",\"content\":\"héllo 😀\"}]}");
        String b = key("p", "{\"messages\":[{\"content\":\"héllo 😀\",\"role\":\"user\"}],\"temperature\":1.0,\"model\":\"m\","
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"user\":\"u1\"}");
        assertEquals(a, b);
        assertEquals(64, a.length());
    }

    @Test
    void projectContentAndOptionsChangeTheKey() {
        String base = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        String a = key("p", base);
        assertNotEquals(a, key("q", base));
        assertNotEquals(a, key("p", base.replace("hello", "hellp")));
        assertNotEquals(a, key("p", base.replace("}]}", "}],\"seed\":1}")));
        assertNotEquals(a, key("p", base.replace("\"m\"", "\"n\"")));
        // a string that looks like the number is not the number
        assertNotEquals(key("p", base.replace("}]}", "}],\"seed\":1}")), key("p", base.replace("}]}", "}],\"seed\":\"1\"}")));
    }
}
