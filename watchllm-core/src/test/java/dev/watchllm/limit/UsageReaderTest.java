package dev.watchllm.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageReaderTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainBodiesOfEveryEndpoint() {
        assertEquals(new TokenUsage(12, 7, 19), UsageReader.read(b("{\"choices\":[{\"message\":{\"content\":\"{\\\"usage\\\":1}\"}}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,\"prompt_tokens_details\":{\"cached_tokens\":0}}}"), null));
        assertEquals(new TokenUsage(3, 0, 3), UsageReader.read(b("{\"data\":[],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}"), null),
                "embeddings have no completion tokens");
        assertEquals(new TokenUsage(5, 6, 11), UsageReader.read(b("{\"usage\":{\"input_tokens\":5,\"output_tokens\":6}}"), null));
    }

    @Test
    void noUsageIsNull() {
        assertNull(UsageReader.read(b("{\"error\":{\"message\":\"boom\"}}"), null));
        assertNull(UsageReader.read(b("not json"), null));
        assertNull(UsageReader.read(b("{\"usage\":null}"), null));
        assertNull(UsageReader.read(null, null));
        assertNull(UsageReader.read(null, List.of(b("data: {\"choices\":[],\"usage\":null}\n\n"), b("data: [DONE]\n\n"))));
    }

    @Test
    void theStreamsLastUsageChunk() {
        List<byte[]> events = List.of(
                b("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n"),
                b("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n"),
                b("data: [DONE]\n\n"));
        assertEquals(new TokenUsage(9, 2, 11), UsageReader.read(null, events));
    }
}
