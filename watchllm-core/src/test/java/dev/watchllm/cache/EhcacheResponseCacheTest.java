package dev.watchllm.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.CacheConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.ehcache.spi.serialization.SerializerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EhcacheResponseCacheTest {
    static final CacheConfig SMALL = new CacheConfig(10, 4L << 20, 16L << 20, 1 << 20, Duration.ofSeconds(5));

    @TempDir
    Path dir;

    static CachedAnswer plain(String body) {
        return CachedAnswer.plain("p", "fake", 1000, 2000, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void serializerRoundTripsAndRejectsGarbage() {
        CachedAnswerSerializer s = new CachedAnswerSerializer(getClass().getClassLoader());
        CachedAnswer p = plain("{\"a\":1}");
        assertEquals(p, s.read(s.serialize(p)));
        CachedAnswer st = CachedAnswer.stream("p", "fake", 1, 2, List.of("data: {}\n\n".getBytes(StandardCharsets.UTF_8),
                "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII)));
        CachedAnswer back = s.read(s.serialize(st));
        assertEquals(st, back);
        assertEquals(CachedAnswer.Form.STREAM, back.form());
        assertTrue(s.equals(st, s.serialize(st)));
        assertThrows(SerializerException.class, () -> s.read(ByteBuffer.wrap("garbage!garbage!garbage!".getBytes(StandardCharsets.US_ASCII))));
        ByteBuffer cut = s.serialize(p);
        cut.limit(cut.limit() - 3);
        assertThrows(SerializerException.class, () -> s.read(cut));
    }

    @Test
    void entriesSurviveARestart() {
        ResponseCache c = EhcacheResponseCache.open(SMALL, dir);
        c.put("k", plain("{\"x\":\"persisted\"}"));
        for (int i = 0; i < 50; i++) c.put("filler" + i, plain("{\"i\":" + i + "}")); // more than the heap tier holds
        c.close();
        ResponseCache again = EhcacheResponseCache.open(SMALL, dir);
        try {
            CachedAnswer a = again.get("k");
            assertNotNull(a);
            assertArrayEquals("{\"x\":\"persisted\"}".getBytes(StandardCharsets.UTF_8), a.plainBody(null));
            assertNotNull(again.get("filler7"));
            assertNull(again.get("never-stored"));
        } finally {
            again.close();
        }
    }

    @Test
    void aCorruptStoreIsReplacedByAnEmptyOne() throws Exception {
        ResponseCache c = EhcacheResponseCache.open(SMALL, dir);
        c.put("k", plain("{}"));
        c.close();
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Files.write(f, "this is not an ehcache file".getBytes(StandardCharsets.US_ASCII));
            }
        }
        ResponseCache fresh = EhcacheResponseCache.open(SMALL, dir);
        try {
            assertTrue(fresh instanceof EhcacheResponseCache);
            assertNull(fresh.get("k"));
            fresh.put("k2", plain("{}"));
            assertNotNull(fresh.get("k2"));
        } finally {
            fresh.close();
        }
        ResponseCache reopened = EhcacheResponseCache.open(SMALL, dir);
        try {
            assertNotNull(reopened.get("k2"), "the replacement store is persistent again");
        } finally {
            reopened.close();
        }
    }

    @Test
    void aDirectoryInUseFallsBackToMemory() {
        ResponseCache first = EhcacheResponseCache.open(SMALL, dir);
        try {
            first.put("k", plain("{}"));
            ResponseCache second = EhcacheResponseCache.open(SMALL, dir);
            try {
                assertNull(second.get("k"), "its own, empty, in-memory cache");
                second.put("m", plain("{}"));
                assertNotNull(second.get("m"));
            } finally {
                second.close();
            }
            assertNotNull(first.get("k"), "the first engine's store was left alone");
        } finally {
            first.close();
        }
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsReplaced() throws Exception {
        Path notADir = dir.resolve("cache");
        Files.writeString(notADir, "x");
        ResponseCache c = EhcacheResponseCache.open(SMALL, notADir);
        try {
            c.put("k", plain("{}"));
            assertNotNull(c.get("k"));
            assertTrue(Files.isDirectory(notADir));
        } finally {
            c.close();
        }
    }
}
