package dev.watchllm.semantic.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticCache.Hit;
import dev.watchllm.semantic.VectorIndex;
import dev.watchllm.semantic.embed.EmbeddingExecutor;
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

    /** Records the thread each step of a lookup ran on. */
    private static final class Where {
        final java.util.Map<String, String> threads = new ConcurrentHashMap<>();

        void at(String step) {
            threads.put(step, Thread.currentThread().getName());
        }

        String of(String step) {
            return threads.get(step);
        }
    }

    private static Embedder fixed(float[] vector, Where where, java.util.concurrent.Executor completesOn) {
        return new Embedder() {
            @Override
            public String space() {
                return "fixed";
            }

            @Override
            public int dimensions() {
                return vector.length;
            }

            @Override
            public CompletionStage<float[]> embed(String text) {
                where.at("embed");
                return completesOn == null ? java.util.concurrent.CompletableFuture.completedFuture(vector)
                        : java.util.concurrent.CompletableFuture.supplyAsync(() -> vector, completesOn);
            }
        };
    }

    private VectorIndex searchRecorded(Where where) {
        return new VectorIndex() {
            @Override
            public boolean put(Partition partition, Entry entry) {
                return index.put(partition, entry);
            }

            @Override
            public java.util.List<Match> nearest(Partition partition, float[] query, int k, double minSimilarity, java.time.Instant now) {
                where.at("search");
                return index.nearest(partition, query, k, minSimilarity, now);
            }

            @Override
            public boolean remove(Partition partition, String key) {
                return index.remove(partition, key);
            }

            @Override
            public int size(String projectId) {
                return index.size(projectId);
            }

            @Override
            public int evictExpired(java.time.Instant now) {
                return index.evictExpired(now);
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aLookupTakesOneHopToThePoolAndSearchesWhereItsVectorArrived() throws Exception {
        float[] v = model.embed("capital of france").toCompletableFuture().get(30, TimeUnit.SECONDS);
        String caller = Thread.currentThread().getName();
        Where where = new Where();
        try (EmbeddingExecutor pool = new EmbeddingExecutor("watchllm-semantic-test", 2, 16);
             VerifiedSemanticCache c = VerifiedSemanticCache.builder().index(searchRecorded(where)).embedder(fixed(v, where, null))
                     .pool(pool).verifier(verifier).clock(clock).sweepEvery(null).build()) {
            assertTrue(c.store("p1", chat("What is the capital of France?"), "k", Duration.ofHours(1)).toCompletableFuture().get(5, TimeUnit.SECONDS));
            java.util.concurrent.ThreadPoolExecutor tasks = (java.util.concurrent.ThreadPoolExecutor) pool.executor();
            long before = tasks.getTaskCount();
            assertTrue(c.lookup("p1", chat("What's the capital of France?"), 0.8).toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent());
            assertEquals(1, tasks.getTaskCount() - before, "analysis, search and verification are one task on the pool");
            assertTrue(where.of("embed").startsWith("watchllm-semantic-"), "the embedding is asked for on the pool: " + where.threads);
            assertEquals(where.of("embed"), where.of("search"), "a vector at hand is searched on the same thread, no second hop");
            assertFalse(where.of("search").equals(caller));
        }
        // a vector that arrives on another thread (a provider's client) is searched on the pool, not there
        java.util.concurrent.ExecutorService client = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "http-client"));
        Where remote = new Where();
        try (VerifiedSemanticCache c = VerifiedSemanticCache.builder().index(searchRecorded(remote)).embedder(fixed(v, remote, client))
                .verifier(verifier).clock(clock).sweepEvery(null).build()) {
            assertTrue(c.lookup("p1", chat("What's the capital of France?"), 0.8).toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent());
            assertTrue(remote.of("search").startsWith("watchllm-semantic-"), "searched on the pool: " + remote.threads);
        } finally {
            client.shutdownNow();
        }
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
