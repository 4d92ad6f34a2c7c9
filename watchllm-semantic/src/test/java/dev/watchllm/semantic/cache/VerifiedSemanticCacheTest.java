package dev.watchllm.semantic.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticCache.Hit;
import dev.watchllm.semantic.embed.LocalEmbedder;
import dev.watchllm.semantic.index.LocalVectorIndex;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.WordNetLexicon;
import dev.watchllm.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole semantic cache with the real ONNX model, WordNet and the in-memory index. */
class VerifiedSemanticCacheTest {
    private static LocalEmbedder model;
    private static ParaphraseVerifier verifier;
    private final Set<String> embedThreads = ConcurrentHashMap.newKeySet();
    private TestClock clock;
    private LocalVectorIndex index;
    private VerifiedSemanticCache cache;

    @BeforeAll
    static void load() throws Exception {
        model = new LocalEmbedder();
        model.ready().toCompletableFuture().get(2, TimeUnit.MINUTES);
        verifier = new ParaphraseVerifier(WordNetLexicon.load());
    }

    @AfterAll
    static void unload() {
        model.close();
    }

    @BeforeEach
    void setUp() {
        clock = new TestClock("2026-03-01T10:00:00Z");
        index = LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT);
        Embedder recording = new Embedder() {
            @Override
            public String space() {
                return model.space();
            }

            @Override
            public int dimensions() {
                return model.dimensions();
            }

            @Override
            public CompletionStage<float[]> embed(String text) {
                embedThreads.add(Thread.currentThread().getName());
                return model.embed(text);
            }
        };
        cache = VerifiedSemanticCache.builder().index(index).embedder(recording).verifier(verifier).clock(clock)
                .lookupTimeout(Duration.ofSeconds(30)).sweepEvery(null).build();
    }

    @AfterEach
    void tearDown() {
        cache.close();
        index.close();
    }

    private static ParsedRequest chat(String system, String user, String extra) {
        String json = "{\"model\":\"gpt-4o-mini\"" + extra + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},"
                + "{\"role\":\"user\",\"content\":\"" + user + "\"}]}";
        RequestParser.Result r = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8));
        if (r.error() != null) throw new AssertionError(r.error().message());
        return r.request();
    }

    private static ParsedRequest chat(String user) {
        return chat("Be brief.", user, "");
    }

    private boolean store(String project, ParsedRequest r, String ref, Duration ttl) throws Exception {
        return cache.store(project, r, ref, ttl).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private Optional<Hit> lookup(String project, ParsedRequest r) throws Exception {
        return cache.lookup(project, r, 0.80).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aParaphraseInTheSameProjectAndContextIsAHit() throws Exception {
        assertTrue(store("p1", chat("What is the capital of France?"), "exact-key-1", Duration.ofHours(1)));
        Hit hit = lookup("p1", chat("Tell me the capital city of France.")).orElseThrow();
        assertEquals("exact-key-1", hit.responseRef());
        assertTrue(hit.similarity() >= 0.80 && hit.similarity() <= 1.0, "similarity " + hit.similarity());
        assertEquals("What is the capital of France?", hit.matchedText());
        assertEquals(clock.instant(), hit.storedAt());
        assertEquals("p1", hit.partition().projectId());
        assertFalse(embedThreads.contains(Thread.currentThread().getName()), "embedding runs off the caller's thread: " + embedThreads);
    }

    @Test
    void nearMissesAreRefused() throws Exception {
        store("p1", chat("What is 17 times 3?"), "k3", Duration.ofHours(1));
        store("p1", chat("Convert 100 Celsius to Fahrenheit."), "kc", Duration.ofHours(1));
        store("p1", chat("Is Python a compiled language?"), "kp", Duration.ofHours(1));
        assertTrue(lookup("p1", chat("What is 17 times 4?")).isEmpty());
        assertTrue(lookup("p1", chat("Convert 100 Fahrenheit to Celsius.")).isEmpty());
        assertTrue(lookup("p1", chat("Is Python not a compiled language?")).isEmpty());
        assertEquals("k3", lookup("p1", chat("What's 17 times three?")).orElseThrow().responseRef());
    }

    @Test
    void anotherProjectOrContextNeverSeesTheEntry() throws Exception {
        store("p1", chat("What is the capital of France?"), "k", Duration.ofHours(1));
        assertTrue(lookup("p2", chat("What is the capital of France?")).isEmpty(), "another project");
        assertTrue(lookup("p1", chat("Answer in French.", "What is the capital of France?", "")).isEmpty(), "another system prompt");
        assertTrue(lookup("p1", chat("Be brief.", "What is the capital of France?", ",\"temperature\":0.2")).isEmpty(), "another temperature");
        assertTrue(lookup("p1", chat("Be brief.", "What is the capital of France?", ",\"stream\":true")).isPresent(), "streaming is not context");
    }

    @Test
    void entriesExpireAndMaxAgeIsHonoured() throws Exception {
        store("p1", chat("What is the capital of France?"), "k", Duration.ofMinutes(30));
        clock.advance(Duration.ofMinutes(10));
        ParsedRequest q = chat("What's the capital of France?");
        assertTrue(lookup("p1", q).isPresent());
        assertTrue(cache.lookup("p1", q, 0.8, Duration.ofMinutes(5)).toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty(),
                "older than max-age");
        assertTrue(cache.lookup("p1", q, 0.8, Duration.ofMinutes(15)).toCompletableFuture().get(30, TimeUnit.SECONDS).isPresent());
        clock.advance(Duration.ofMinutes(21));
        assertTrue(lookup("p1", q).isEmpty(), "expired");
        assertEquals(1, cache.sweep());
        assertEquals(0, index.size("p1"));
    }

    @Test
    void aHitWhoseResponseIsGoneCanBeRemoved() throws Exception {
        store("p1", chat("What is the capital of France?"), "k", Duration.ofHours(1));
        Hit hit = lookup("p1", chat("What's the capital of France?")).orElseThrow();
        assertFalse(cache.remove("p2", hit), "only by its own project");
        assertTrue(cache.remove("p1", hit));
        assertTrue(lookup("p1", chat("What's the capital of France?")).isEmpty());
    }

    @Test
    void requestsThatAreNotEligibleAreNeitherStoredNorLookedUp() throws Exception {
        assertFalse(store("p1", chat("Be brief.", "Write a poem.", ",\"n\":3"), "k", Duration.ofHours(1)));
        assertFalse(store("p1", chat("Be brief.", "Write a poem.", ",\"temperature\":1.7"), "k", Duration.ofHours(1)));
        assertFalse(store("p1", chat("Write a poem."), "k", Duration.ZERO));
        assertEquals(0, index.size("p1"));
        store("p1", chat("Write a poem."), "k", Duration.ofHours(1));
        assertTrue(lookup("p1", chat("Be brief.", "Write a poem.", ",\"n\":3")).isEmpty());
    }

    @Test
    void aFailingEmbedderIsAMissNotAnError() throws Exception {
        Embedder broken = new Embedder() {
            @Override
            public String space() {
                return "broken";
            }

            @Override
            public int dimensions() {
                return 3;
            }

            @Override
            public CompletionStage<float[]> embed(String text) {
                return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("provider down"));
            }
        };
        try (VerifiedSemanticCache c = VerifiedSemanticCache.builder().index(index).embedder(broken).verifier(verifier).clock(clock)
                .sweepEvery(null).build()) {
            assertFalse(c.store("p1", chat("Q?"), "k", Duration.ofHours(1)).toCompletableFuture().get(5, TimeUnit.SECONDS));
            assertTrue(c.lookup("p1", chat("Q?"), 0.8).toCompletableFuture().get(5, TimeUnit.SECONDS).isEmpty());
        }
    }
}
