package dev.watchllm.semantic.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.upstream.JettyUpstream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upstream embedder against a real HTTP provider, through the engine's Jetty client. */
class UpstreamEmbedderTest {
    private FakeProvider provider;
    private JettyUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
        upstream = new JettyUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        provider.close();
    }

    private UpstreamConfig target(String apiKey) {
        return new UpstreamConfig("openai", provider.baseUrl(), apiKey, null, List.of("*"), Duration.ofSeconds(5), List.of(),
                0, Duration.ofMillis(10), Duration.ofSeconds(1));
    }

    @Test
    void postsToEmbeddingsWithTheProvidersKeyAndReturnsAUnitVector() throws Exception {
        provider.enqueue(FakeProvider.status(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[3.0,4.0]}],\"model\":\"text-embedding-3-small\"}"));
        UpstreamEmbedder e = new UpstreamEmbedder(upstream, target("sk-test-123"), "text-embedding-3-small", 0, Duration.ofSeconds(5));
        float[] v = e.embed("what is the capital of france").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {0.6f, 0.8f}, v, 1e-6f);
        FakeProvider.Recorded r = provider.takeRequest();
        assertEquals("POST", r.method());
        assertEquals("/v1/embeddings", r.path());
        assertEquals("Bearer sk-test-123", r.header("Authorization"));
        JsonNode body = RequestParser.mapper().readTree(r.body());
        assertEquals("text-embedding-3-small", body.get("model").asText());
        assertEquals("what is the capital of france", body.get("input").asText());
        assertEquals("float", body.get("encoding_format").asText());
        assertTrue(e.space().startsWith("upstream:openai:text-embedding-3-small"));
    }

    @Test
    void resultsAreCachedSoAPromptIsPaidForOnce() throws Exception {
        provider.byDefault(FakeProvider.embeddings());
        MemoizingEmbedder e = new MemoizingEmbedder(new UpstreamEmbedder(upstream, target("k"), "text-embedding-3-small", 0, Duration.ofSeconds(5)), 100);
        e.embed("same prompt").toCompletableFuture().get(10, TimeUnit.SECONDS);
        e.embed("same prompt").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, provider.requestCount());
    }

    @Test
    void errorsAndWrongShapesFailTheEmbedding() throws Exception {
        provider.enqueue(FakeProvider.status(500, "{\"error\":{\"message\":\"boom\"}}"));
        provider.enqueue(FakeProvider.status(200, "{\"data\":[]}"));
        provider.enqueue(FakeProvider.status(200, "{\"data\":[{\"embedding\":[1.0,2.0,3.0]}]}"));
        UpstreamEmbedder e = new UpstreamEmbedder(upstream, target("k"), "m", 0, Duration.ofSeconds(5));
        ExecutionException x = assertThrows(ExecutionException.class, () -> e.embed("a").toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(x.getCause().getMessage().contains("500"));
        assertThrows(ExecutionException.class, () -> e.embed("b").toCompletableFuture().get(10, TimeUnit.SECONDS));
        UpstreamEmbedder sized = new UpstreamEmbedder(upstream, target("k"), "m", 2, Duration.ofSeconds(5));
        x = assertThrows(ExecutionException.class, () -> sized.embed("c").toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(x.getCause().getMessage().contains("3 dimensions"));
        UpstreamConfig noKey = new UpstreamConfig("openai", provider.baseUrl(), null, "OPENAI_API_KEY", List.of("*"), Duration.ofSeconds(5),
                List.of(), 0, Duration.ofMillis(10), Duration.ofSeconds(1));
        x = assertThrows(ExecutionException.class, () -> new UpstreamEmbedder(upstream, noKey, "m", 0, Duration.ofSeconds(5))
                .embed("d").toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(x.getCause().getMessage().contains("OPENAI_API_KEY"));
        assertEquals(3, provider.requestCount(), "no request without a key");
    }
}
