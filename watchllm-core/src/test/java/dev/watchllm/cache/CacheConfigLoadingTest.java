package dev.watchllm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.CacheConfig;
import dev.watchllm.config.ConfigException;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The top-level {@code cache} section and {@code projects[].cache}. */
class CacheConfigLoadingTest {
    static WatchLlmConfig load(String yaml) {
        return ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Map.<String, String>of()::get).build();
    }

    @Test
    void defaultsWhenAbsent() {
        assertEquals(CacheConfig.DEFAULT, load("projects: []").cache());
    }

    @Test
    void everyKeyIsRead() {
        CacheConfig c = load("cache:\n  heapEntries: 500\n  offHeap: 16MiB\n  disk: 2GiB\n  maxEntrySize: 256KiB\n  coalesceTimeout: 30s\n").cache();
        assertEquals(500, c.heapEntries());
        assertEquals(16L << 20, c.offHeapBytes());
        assertEquals(2L << 30, c.diskBytes());
        assertEquals(256 << 10, c.maxEntryBytes());
        assertEquals(Duration.ofSeconds(30), c.coalesceTimeout());
        assertEquals(CacheConfig.DEFAULT.diskBytes(), load("cache: { heapEntries: 5 }").cache().diskBytes(), "absent keys keep defaults");
    }

    @Test
    void projectSwitchesStayPerProject() {
        WatchLlmConfig c = load("projects:\n  - id: a\n    cache: { enabled: false, ttl: 10m }\n  - id: b\n");
        assertFalse(c.project("a").cache().enabled());
        assertEquals(Duration.ofMinutes(10), c.project("a").cache().ttl());
        assertTrue(c.project("b").cache().enabled());
    }

    @Test
    void mistakesNameTheField() {
        assertTrue(assertThrows(ConfigException.class, () -> load("cache: { heapSize: 5 }")).getMessage().contains("cache.heapSize"));
        assertTrue(assertThrows(ConfigException.class, () -> load("cache: { offHeap: 64MiB, disk: 32MiB }")).getMessage().contains("cache.disk"));
        assertTrue(assertThrows(ConfigException.class, () -> load("cache: { maxEntrySize: 64MiB }")).getMessage().contains("cache.maxEntrySize"));
        assertTrue(assertThrows(ConfigException.class, () -> load("cache: { coalesceTimeout: soon }")).getMessage().contains("cache.coalesceTimeout"));
    }
}
