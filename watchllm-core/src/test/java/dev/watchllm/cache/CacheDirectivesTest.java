package dev.watchllm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CacheDirectivesTest {
    @Test
    void noHeadersMeansDefaults() {
        assertSame(CacheDirectives.NONE, CacheDirectives.parse(null, null));
        assertTrue(CacheDirectives.NONE.storable());
    }

    @Test
    void cacheControlDirectives() {
        CacheDirectives d = CacheDirectives.parse("No-Cache", null);
        assertTrue(d.noCache());
        assertFalse(d.noStore());
        d = CacheDirectives.parse("no-store, max-age=30", null);
        assertTrue(d.noStore());
        assertFalse(d.storable());
        assertEquals(30, d.maxAgeSeconds());
        assertEquals(60, CacheDirectives.parse("max-age=\"60\"", null).maxAgeSeconds());
        assertEquals(10, CacheDirectives.parse("max-age=60, max-age=10", null).maxAgeSeconds(), "the stricter limit wins");
        assertEquals(-1, CacheDirectives.parse("no-transform, private", null).maxAgeSeconds(), "others are ignored");
        assertEquals(Long.MAX_VALUE, CacheDirectives.parse("max-age=99999999999999999999999", null).maxAgeSeconds());
    }

    @Test
    void unreadableMaxAgeMeansZero() {
        assertEquals(0, CacheDirectives.parse("max-age=soon", null).maxAgeSeconds());
        assertEquals(0, CacheDirectives.parse("max-age", null).maxAgeSeconds());
        assertEquals(0, CacheDirectives.parse("max-age=-5", null).maxAgeSeconds());
    }

    @Test
    void ttlHeader() {
        assertEquals(120, CacheDirectives.parse(null, " 120 ").ttlSeconds());
        CacheDirectives zero = CacheDirectives.parse(null, "0");
        assertFalse(zero.storable(), "a TTL of 0 stores nothing");
        assertNull(zero.error());
        for (String bad : new String[] {"abc", "-1", "1.5", "", "1h", "315360001"}) {
            CacheDirectives d = CacheDirectives.parse(null, bad);
            assertNotNull(d.error(), bad);
            assertTrue(d.error().contains("X-WatchLLM-Cache-TTL"));
        }
        assertFalse(CacheDirectives.parse(null, "bad\r\nvalue").error().contains("\n"), "control characters are not echoed");
    }
}
