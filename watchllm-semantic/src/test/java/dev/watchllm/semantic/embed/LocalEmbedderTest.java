package dev.watchllm.semantic.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.semantic.Embedder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalEmbedderTest {

    private static float[] get(CompletionStage<float[]> s) throws Exception {
        return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static double dot(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d += a[i] * b[i];
        return d;
    }

    @Test
    void embedsIntoUnitVectors() throws Exception {
        try (LocalEmbedder e = new LocalEmbedder()) {
            e.ready().toCompletableFuture().get(2, TimeUnit.MINUTES);
            float[] capital = get(e.embed("what is the capital of france"));
            float[] paraphrase = get(e.embed("tell me the capital city of france"));
            float[] other = get(e.embed("how do i bake sourdough bread"));
            assertEquals(LocalEmbedder.DIMENSIONS, capital.length);
            assertEquals(1.0, dot(capital, capital), 1e-4);
            assertTrue(dot(capital, paraphrase) > 0.85, "paraphrases are close");
            assertTrue(dot(capital, other) < 0.3, "unrelated prompts are far");
        }
    }

    @Test
    void embedsOffTheCallersThread() throws Exception {
        try (EmbeddingExecutor pool = new EmbeddingExecutor("test-off", 1, 4); LocalEmbedder e = new LocalEmbedder(pool, false)) {
            e.ready().toCompletableFuture().get(2, TimeUnit.MINUTES);
            // the pool's only thread is held: an embedding done on the caller's thread would be complete on return
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            pool.submit(() -> {
                try {
                    return release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException x) {
                    throw new IllegalStateException(x);
                }
            });
            CompletableFuture<float[]> f = e.embed("what is the capital of france").toCompletableFuture();
            assertFalse(f.isDone(), "embedded on the caller's thread");
            CompletableFuture<String> where = f.thenApply(v -> Thread.currentThread().getName());
            release.countDown();
            assertTrue(where.get(30, TimeUnit.SECONDS).startsWith("test-off"), where.get());
        }
    }

    @Test
    void onAThreadOfItsPoolItEmbedsInPlaceWithoutAnotherHop() throws Exception {
        try (EmbeddingExecutor pool = new EmbeddingExecutor("test-inline", 1, 4); LocalEmbedder e = new LocalEmbedder(pool, false)) {
            e.ready().toCompletableFuture().get(2, TimeUnit.MINUTES);
            // the pool's only thread asks: queued behind itself, the embedding could not be done when embed returns
            float[] v = pool.submit(() -> {
                CompletableFuture<float[]> f = e.embed("what is the capital of france").toCompletableFuture();
                return f.isDone() ? f.join() : null;
            }).get(30, TimeUnit.SECONDS);
            assertTrue(v != null && v.length == LocalEmbedder.DIMENSIONS, "embedded in place");
            assertEquals(1.0, dot(v, get(e.embed("what is the capital of france"))), 1e-4, "the same vector as from another thread");
        }
    }

    @Test
    void untilTheModelHasLoadedEveryEmbeddingFailsAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EmbeddingExecutor pool = new EmbeddingExecutor("test-embed", 1, 4);
        try (LocalEmbedder e = new LocalEmbedder(pool, true, () -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("no model in this test");
        })) {
            ExecutionException x = assertThrows(ExecutionException.class, () -> e.embed("hello").toCompletableFuture().get(1, TimeUnit.SECONDS));
            assertTrue(x.getCause().getMessage().contains("not loaded"));
            release.countDown();
            e.ready().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThrows(ExecutionException.class, () -> e.embed("hello").toCompletableFuture().get(1, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFullPoolFailsFastInsteadOfQueueing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (EmbeddingExecutor pool = new EmbeddingExecutor("test-full", 1, 1)) {
            pool.submit(() -> {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                return 1;
            });
            pool.submit(() -> 2); // fills the queue
            CompletableFuture<Integer> third = pool.submit(() -> 3);
            assertTrue(third.isCompletedExceptionally(), "rejected at once");
            release.countDown();
        }
    }

    @Test
    void memoizingEmbedderAsksOncePerText() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Embedder counting = new Embedder() {
            @Override
            public String space() {
                return "test";
            }

            @Override
            public int dimensions() {
                return 2;
            }

            @Override
            public CompletionStage<float[]> embed(String text) {
                calls.incrementAndGet();
                if (text.equals("fail")) return CompletableFuture.failedFuture(new IllegalStateException("down"));
                return CompletableFuture.completedFuture(new float[] {1, 0});
            }
        };
        MemoizingEmbedder m = new MemoizingEmbedder(counting, 2);
        float[] a = get(m.embed("a"));
        assertSame(a, get(m.embed("a")));
        assertEquals(1, calls.get());
        assertThrows(ExecutionException.class, () -> get(m.embed("fail")));
        assertThrows(ExecutionException.class, () -> get(m.embed("fail")));
        assertEquals(3, calls.get(), "failures are not remembered");
        get(m.embed("b"));
        get(m.embed("c")); // evicts "a" (capacity 2)
        get(m.embed("a"));
        assertEquals(6, calls.get());
        assertEquals("test", m.space());
    }

}
