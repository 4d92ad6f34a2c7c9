package dev.watchllm.cache;

import dev.watchllm.config.CacheConfig;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.ehcache.Cache;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.EntryUnit;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.expiry.ExpiryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link ResponseCache}: Ehcache 3 with three tiers. Hot answers stay as objects on
 * the heap, the next ones in off-heap memory, and all of them in a persistent disk tier under
 * {@code <store.dir>/cache}, so they survive a restart (a clean {@link #close()} writes it out;
 * after a crash Ehcache starts it empty).
 *
 * <p>{@link #open} never fails: a store that is corrupt or cannot be opened is logged, deleted and
 * recreated empty; if the directory stays unusable (read-only disk, or another engine holds it)
 * the cache lives in memory only; if even that fails, nothing is cached.
 */
public final class EhcacheResponseCache implements ResponseCache {
    private static final Logger LOG = LoggerFactory.getLogger(EhcacheResponseCache.class);
    private static final String ALIAS = "answers";

    private final CacheManager manager;
    private final Cache<String, CachedAnswer> cache;
    private final AtomicLong lastProblem = new AtomicLong(Long.MIN_VALUE);

    private EhcacheResponseCache(CacheConfig cfg, Path dir) {
        ResourcePoolsBuilder pools = ResourcePoolsBuilder.newResourcePoolsBuilder()
                .heap(cfg.heapEntries(), EntryUnit.ENTRIES)
                .offheap(cfg.offHeapBytes(), MemoryUnit.B);
        if (dir != null) pools = pools.disk(cfg.diskBytes(), MemoryUnit.B, true);
        CacheConfigurationBuilder<String, CachedAnswer> cc = CacheConfigurationBuilder
                .newCacheConfigurationBuilder(String.class, CachedAnswer.class, pools)
                .withValueSerializer(CachedAnswerSerializer.class)
                .withExpiry(new StoredTtl());
        CacheManager m = dir != null
                ? CacheManagerBuilder.newCacheManagerBuilder().with(CacheManagerBuilder.persistence(dir.toFile())).withCache(ALIAS, cc).build()
                : CacheManagerBuilder.newCacheManagerBuilder().withCache(ALIAS, cc).build();
        try {
            m.init();
        } catch (RuntimeException e) {
            try {
                m.close();
            } catch (RuntimeException ignored) {
                // it never fully started
            }
            throw e;
        }
        this.manager = m;
        this.cache = m.getCache(ALIAS, String.class, CachedAnswer.class);
    }

    /**
     * Opens the store under {@code dir} (null: memory only). Never throws; what went wrong is
     * logged once, with what the engine does instead.
     */
    public static ResponseCache open(CacheConfig cfg, Path dir) {
        if (dir != null) {
            try {
                return new EhcacheResponseCache(cfg, dir);
            } catch (RuntimeException e) {
                if (lockedElsewhere(e)) {
                    LOG.warn("The response cache directory {} is in use by another engine ({}); this engine keeps its cache in memory only",
                            dir, rootCause(e));
                } else {
                    LOG.warn("The response cache in {} is corrupt or unwritable ({}); it is replaced by an empty one", dir, rootCause(e));
                    try {
                        deleteTree(dir);
                        return new EhcacheResponseCache(cfg, dir);
                    } catch (IOException | RuntimeException e2) {
                        LOG.warn("The response cache in {} still cannot be used ({}); this engine keeps its cache in memory only",
                                dir, rootCause(e2));
                    }
                }
            }
        }
        try {
            return new EhcacheResponseCache(cfg, null);
        } catch (RuntimeException e) {
            LOG.error("The response cache could not be created ({}); answers are not cached", rootCause(e));
            return ResponseCache.NONE;
        }
    }

    @Override
    public CachedAnswer get(String key) {
        return guarded("read", () -> cache.get(key));
    }

    @Override
    public void put(String key, CachedAnswer answer) {
        guarded("write", () -> {
            cache.put(key, answer);
            return null;
        });
    }

    @Override
    public void remove(String key) {
        guarded("remove", () -> {
            cache.remove(key);
            return null;
        });
    }

    @Override
    public void close() {
        try {
            manager.close();
        } catch (RuntimeException e) {
            LOG.warn("The response cache did not close cleanly ({}); it may start empty next time", rootCause(e));
        }
    }

    private <T> T guarded(String op, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            long last = lastProblem.get();
            if ((last == Long.MIN_VALUE || now - last > 60_000_000_000L) && lastProblem.compareAndSet(last, now)) {
                LOG.warn("A response cache {} failed ({}); the request goes on without the cache", op, rootCause(e));
            }
            return null;
        }
    }

    /** The TTL an answer was stored with; the engine's clock is checked again on every read. */
    private static final class StoredTtl implements ExpiryPolicy<String, CachedAnswer> {
        @Override
        public Duration getExpiryForCreation(String key, CachedAnswer value) {
            return Duration.ofMillis(Math.max(1, value.expiresAtMillis() - value.storedAtMillis()));
        }

        @Override
        public Duration getExpiryForAccess(String key, Supplier<? extends CachedAnswer> value) {
            return null; // unchanged
        }

        @Override
        public Duration getExpiryForUpdate(String key, Supplier<? extends CachedAnswer> oldValue, CachedAnswer newValue) {
            return getExpiryForCreation(key, newValue);
        }
    }

    private static boolean lockedElsewhere(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("already locked")) return true;
        }
        return false;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t == e ? e.toString() : e.getClass().getSimpleName() + ": " + t;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) throw exc;
                if (!d.equals(dir)) Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
