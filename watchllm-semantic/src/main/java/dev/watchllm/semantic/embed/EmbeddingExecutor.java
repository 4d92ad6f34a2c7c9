package dev.watchllm.semantic.embed;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A small bounded pool for model work, so a container's request threads never run a model and a
 * burst cannot queue without limit: when the queue is full the work fails at once (a cache miss)
 * instead of making every request wait.
 */
public final class EmbeddingExecutor implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final ThreadLocal<Boolean> mine = ThreadLocal.withInitial(() -> false);

    /** {@code threads} workers (daemon, named {@code name-N}) and room for {@code queue} waiting tasks. */
    public EmbeddingExecutor(String name, int threads, int queue) {
        if (threads < 1 || queue < 1) throw new IllegalArgumentException("threads and queue must be at least 1");
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(() -> {
                mine.set(true);
                r.run();
            }, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Two workers (or one on a single core) and 256 waiting tasks. */
    public static EmbeddingExecutor standard(String name) {
        return new EmbeddingExecutor(name, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())), 256);
    }

    /** Runs {@code work} on the pool; the future fails with {@link RejectedExecutionException} when the pool is full or closed. */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    f.complete(work.get());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /** True on one of this pool's threads: work may continue here instead of being queued again. */
    public boolean inPool() {
        return mine.get();
    }

    /** The pool itself, for stages that continue on it. */
    public ExecutorService executor() {
        return pool;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
