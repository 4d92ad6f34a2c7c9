package dev.watchllm.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine-wide settings of the exact response cache (the top-level {@code cache} section);
 * whether a project uses it, and for how long, is {@link CacheSettings}.
 *
 * @param heapEntries     answers kept as objects on the Java heap (the fastest tier)
 * @param offHeapBytes    direct memory for the middle tier, reserved when the engine starts
 * @param diskBytes       the persistent tier under {@code store.dir}/cache; survives a restart
 * @param maxEntryBytes   answers larger than this are served but never stored
 * @param coalesceTimeout how long an identical request waits for one already in flight before
 *                        it makes its own call
 */
public record CacheConfig(long heapEntries, long offHeapBytes, long diskBytes, long maxEntryBytes, Duration coalesceTimeout) {
    public static final CacheConfig DEFAULT = new CacheConfig(10_000, 64L * 1024 * 1024, 1024L * 1024 * 1024, 1024 * 1024,
            Duration.ofSeconds(60));

    public CacheConfig {
        Objects.requireNonNull(coalesceTimeout, "coalesceTimeout");
        if (heapEntries < 1) throw new ConfigException("cache.heapEntries: must be at least 1");
        if (offHeapBytes < 1024 * 1024) throw new ConfigException("cache.offHeap: must be at least 1MiB");
        if (diskBytes <= offHeapBytes) throw new ConfigException("cache.disk: must be larger than cache.offHeap");
        if (maxEntryBytes < 1 || maxEntryBytes > offHeapBytes / 4) {
            throw new ConfigException("cache.maxEntrySize: must be between 1 byte and a quarter of cache.offHeap");
        }
        if (coalesceTimeout.isNegative() || coalesceTimeout.isZero()) {
            throw new ConfigException("cache.coalesceTimeout: must be greater than zero");
        }
    }
}
