package dev.watchllm.semantic.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.semantic.SemanticCache;
import dev.watchllm.semantic.SemanticCacheProvider;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import dev.watchllm.upstream.JettyUpstream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's way in: ServiceLoader finds the module, the config decides which projects match. */
class LocalSemanticCacheProviderTest {

    private static ParsedRequest chat(String user) {
        String json = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + user + "\"}]}";
        return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8)).request();
    }

    @Test
    void configuredProjectsMatchAndTheIndexPersistsUnderTheStoreDir(@TempDir Path dir) throws Exception {
        String yaml = "store: { type: local, dir: " + dir + " }\n"
                + "projects:\n"
                + "  - id: sem-on\n    cache: { semantic: { enabled: true, threshold: 0.8, embedder: local } }\n"
                + "  - id: sem-off\n    cache: { semantic: { enabled: false } }\n";
        WatchLlmConfig config = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        SemanticCacheProvider provider = SemanticCacheProvider.find().orElseThrow();
        assertTrue(provider instanceof LocalSemanticCacheProvider);
        TestClock clock = new TestClock("2026-03-01T10:00:00Z");
        try (JettyUpstream upstream = new JettyUpstream()) {
            try (SemanticCache cache = provider.create(config, upstream, clock)) {
                ((VerifiedSemanticCache) cache).ready().toCompletableFuture().get(2, TimeUnit.MINUTES); // the model loads in the background
                assertTrue(cache.store("sem-on", chat("What is the capital of France?"), "ref-1", Duration.ofHours(1))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
                Optional<SemanticCache.Hit> hit = cache.lookup("sem-on", chat("What's the capital of France?"), 0.8)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertEquals("ref-1", hit.orElseThrow().responseRef());
                assertTrue(cache.store("sem-off", chat("What is the capital of France?"), "ref-2", Duration.ofHours(1))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS) == Boolean.FALSE, "semantic caching is off for this project");
                assertTrue(cache.lookup("sem-off", chat("What is the capital of France?"), 0.8).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty());
            }
            assertTrue(Files.exists(dir.resolve("semantic").resolve("sem-on.vectors")));
            try (SemanticCache reopened = provider.create(config, upstream, clock)) {
                ((VerifiedSemanticCache) reopened).ready().toCompletableFuture().get(2, TimeUnit.MINUTES);
                Optional<SemanticCache.Hit> hit = reopened.lookup("sem-on", chat("What's the capital of France?"), 0.8)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertEquals("ref-1", hit.orElseThrow().responseRef(), "entries survive a restart");
            }
        }
    }

    @Test
    void theUpstreamEmbedderGoesThroughTheProviderAndTheVerifierStillDecides(@TempDir Path dir) throws Exception {
        try (FakeProvider provider = new FakeProvider(); JettyUpstream upstream = new JettyUpstream()) {
            // a degenerate provider: every text gets the same vector, so every stored prompt is a candidate at similarity 1
            provider.byDefault(FakeProvider.embeddings());
            String yaml = "store: { type: redis, uri: redis://127.0.0.1:1, dir: " + dir + " }\n"
                    + "upstreams:\n  - name: fake\n    baseUrl: " + provider.baseUrl() + "\n    apiKey: sk-fake\n    models: [\"*\"]\n"
                    + "projects:\n  - id: remote\n    cache: { semantic: { enabled: true, embedder: upstream } }\n";
            WatchLlmConfig config = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
            try (SemanticCache cache = new LocalSemanticCacheProvider().create(config, upstream, new TestClock("2026-03-01T10:00:00Z"))) {
                assertTrue(cache.store("remote", chat("What is the capital of France?"), "ref-fr", Duration.ofHours(1))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
                assertEquals("ref-fr", cache.lookup("remote", chat("What's the capital of France?"), 0.8)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow().responseRef());
                assertTrue(cache.lookup("remote", chat("What is the capital of Spain?"), 0.8)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty(), "similarity 1.0, refused by the verifier");
                FakeProvider.Recorded first = provider.takeRequest();
                assertEquals("/v1/embeddings", first.path());
                assertEquals("Bearer sk-fake", first.header("Authorization"));
                assertTrue(first.body().contains("text-embedding-3-small"), first.body());
                // embedded text is normalised and remembered: "What's the capital..." is the stored prompt's text again
                assertEquals(2, provider.requestCount());
            }
            assertTrue(Files.notExists(dir.resolve("semantic")), "with store.type redis the index stays in memory");
        }
    }
}
