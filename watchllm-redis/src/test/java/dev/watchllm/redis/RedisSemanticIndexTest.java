package dev.watchllm.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.semantic.VectorIndex.Entry;
import dev.watchllm.semantic.VectorIndex.Match;
import dev.watchllm.semantic.VectorIndex.Partition;
import dev.watchllm.semantic.index.LocalVectorIndex;
import dev.watchllm.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared semantic index on a real Redis: several engines' stores, each with its own real
 * {@link LocalVectorIndex}, kept in step by {@link RedisSemanticIndex}. Waits are on the index's
 * own events (bounded), never sleeps.
 */
class RedisSemanticIndexTest {
    @RegisterExtension
    static final EmbeddedRedis redis = EmbeddedRedis.perClass(true);
    static final Partition P = new Partition("p", "ctx/local:test");
    static final Partition Q = new Partition("q", "ctx/local:test"); // same context, other project
    final TestClock clock = new TestClock("2026-03-10T12:00:00Z");
    final List<Member> members = new ArrayList<>();

    @AfterEach
    void close() {
        for (Member m : members) m.close();
    }

    /** One engine's view: its stores on the shared Redis and its shared index over a fresh local one. */
    final class Member implements AutoCloseable {
        final RedisStores stores = RedisStores.connect(redis.uri(), true, clock);
        final RedisSemanticIndex index;
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        Member(String... projects) {
            index = (RedisSemanticIndex) stores.semanticIndex(LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT), Set.of(projects));
            index.onEvent(events::add);
            members.add(this);
        }

        /** Waits (bounded) until this engine applied an event of {@code kind}. */
        void await(String kind) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                String e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (e == null) throw new AssertionError("no '" + kind + "' within 20 s");
                if (e.equals(kind)) return;
            }
        }

        List<Match> find(Partition p, float[] v) {
            return index.nearest(p, v, 4, 0.99, clock.instant());
        }

        @Override
        public void close() {
            index.close();
            stores.close();
        }
    }

    Entry entry(String key, float[] v, Duration ttl) {
        Instant now = clock.instant();
        return new Entry(key, v, "prompt " + key, now, now.plus(ttl));
    }

    static float[] unit(int axis) {
        float[] v = new float[8];
        v[axis] = 1f;
        return v;
    }

    @Test
    void anEntryStoredOnOneEngineIsFoundOnTheOtherAndLivesInRedisForItsTtl() throws Exception {
        Member a = new Member("p");
        Member b = new Member("p");
        Entry e = entry("ref-1", unit(0), Duration.ofMinutes(10));
        assertTrue(a.index.put(P, e));
        b.await("put");

        List<Match> found = b.find(P, unit(0));
        assertEquals(1, found.size());
        Entry got = found.get(0).entry();
        assertEquals("ref-1", got.key());
        assertEquals("prompt ref-1", got.text());
        assertEquals(e.storedAt(), got.storedAt());
        assertEquals(e.expiresAt(), got.expiresAt());
        assertArrayEquals(e.vector(), got.vector());
        assertEquals(1, b.index.size("p"));

        byte[] key = RedisKeys.semanticEntry("p", SemanticRecord.id(P.scope(), "ref-1"));
        long pttl = redis.query(c -> c.sync().pttl(key));
        assertTrue(pttl > Duration.ofMinutes(10).toMillis() - 10_000 && pttl <= Duration.ofMinutes(10).toMillis(),
                "the Redis TTL ends at the entry's expiry: " + pttl);
        assertEquals(1L, (long) redis.query(c -> c.sync().zcard(RedisKeys.semanticIndex("p"))));
    }

    @Test
    void aRemovalReachesEveryEngineAndRedis() throws Exception {
        Member a = new Member("p");
        Member b = new Member("p");
        a.index.put(P, entry("ref-1", unit(1), Duration.ofMinutes(10)));
        b.await("put");
        assertTrue(b.index.remove(P, "ref-1"));
        a.await("remove");
        assertTrue(a.find(P, unit(1)).isEmpty());
        assertTrue(b.find(P, unit(1)).isEmpty());
        byte[] key = RedisKeys.semanticEntry("p", SemanticRecord.id(P.scope(), "ref-1"));
        assertNull(redis.query(c -> c.sync().get(key)));
        assertEquals(0L, (long) redis.query(c -> c.sync().zcard(RedisKeys.semanticIndex("p"))));
    }

    @Test
    void anEngineStartedLaterLoadsWhatIsThereBeforeItServes() throws Exception {
        Member a = new Member("p");
        Member b = new Member("p");
        Partition other = new Partition("p", "another-context/local:test");
        a.index.put(P, entry("ref-1", unit(0), Duration.ofMinutes(10)));
        a.index.put(P, entry("ref-2", unit(1), Duration.ofMinutes(10)));
        a.index.put(other, entry("ref-3", unit(2), Duration.ofMinutes(10)));
        for (int i = 0; i < 3; i++) b.await("put"); // all three are in Redis by now

        Member c = new Member("p"); // loads in its constructor: no waiting here
        assertEquals(3, c.index.size("p"));
        assertEquals("ref-2", c.find(P, unit(1)).get(0).entry().key());
        assertEquals("ref-3", c.find(other, unit(2)).get(0).entry().key());
        assertTrue(c.find(other, unit(0)).isEmpty(), "entries keep their partition");
    }

    @Test
    void anExpiredEntryIsGoneOnEveryEngineAndNotLoadedByANewOne() throws Exception {
        Member a = new Member("p");
        Member b = new Member("p");
        a.index.put(P, entry("short", unit(3), Duration.ofMinutes(1)));
        a.index.put(P, entry("long", unit(4), Duration.ofHours(1)));
        b.await("put");
        b.await("put");
        clock.advance(Duration.ofMinutes(1));
        assertTrue(a.find(P, unit(3)).isEmpty());
        assertTrue(b.find(P, unit(3)).isEmpty());
        assertEquals(1, a.index.evictExpired(clock.instant()));
        assertEquals(1, b.index.evictExpired(clock.instant()));

        Member c = new Member("p");
        assertEquals(1, c.index.size("p"), "only the live entry is loaded");
        assertTrue(c.find(P, unit(3)).isEmpty());
        assertEquals(1, c.find(P, unit(4)).size());
        assertEquals(1L, (long) redis.query(r -> r.sync().zcard(RedisKeys.semanticIndex("p"))), "the load trimmed the expired id");
    }

    @Test
    void projectsStayApartAcrossEngines() throws Exception {
        Member a = new Member("p", "q");
        Member onlyP = new Member("p");
        a.index.put(Q, entry("q-ref", unit(5), Duration.ofMinutes(10)));
        onlyP.await("put");
        assertEquals(0, onlyP.index.size("q"), "an engine does not take entries of projects it does not match");
        assertTrue(onlyP.find(P, unit(5)).isEmpty(), "nor does another project's entry land in its partition");

        a.index.put(P, entry("p-ref", unit(6), Duration.ofMinutes(10)));
        onlyP.await("put");
        assertEquals(1, onlyP.find(P, unit(6)).size());
        assertTrue(a.find(Q, unit(6)).isEmpty(), "same context, other project: never found");

        Member onlyQ = new Member("q");
        assertEquals(1, onlyQ.index.size("q"));
        assertEquals(0, onlyQ.index.size("p"));
        assertEquals("q-ref", onlyQ.find(Q, unit(5)).get(0).entry().key());
    }

    @Test
    void whileRedisIsDownSearchesGoOnAndAfterItsRestartEnginesFollowEachOtherAgain() throws Exception {
        Member a = new Member("p");
        Member b = new Member("p");
        a.index.put(P, entry("before", unit(0), Duration.ofHours(1)));
        b.await("put");

        redis.stop();
        assertTrue(a.index.put(P, entry("during", unit(1), Duration.ofHours(1))), "stored here, the Redis write skipped");
        assertEquals(1, a.find(P, unit(1)).size());
        assertEquals(1, b.find(P, unit(0)).size(), "what an engine holds still answers");

        redis.start(); // empty: it kept nothing
        a.await("load"); // reconnected, subscribed again, loaded
        b.await("load");
        a.index.put(P, entry("after", unit(2), Duration.ofHours(1)));
        b.await("put");
        assertEquals(1, b.find(P, unit(2)).size());
        assertEquals(1, b.find(P, unit(0)).size());
        assertTrue(b.find(P, unit(1)).isEmpty(), "a write Redis never took is this engine's alone");

        Member c = new Member("p");
        assertEquals(1, c.index.size("p"), "Redis holds what was written since it came back");
    }

    @Test
    void aReconnectionLoadsWhatWasWrittenWithoutAMessage() throws Exception {
        Member b = new Member("p");
        // an entry another engine wrote while this one was not listening: in Redis, never announced
        Entry e = entry("missed", unit(7), Duration.ofHours(1));
        byte[] id = SemanticRecord.id(P.scope(), e.key());
        redis.query(c -> {
            c.sync().set(RedisKeys.semanticEntry("p", id), SemanticRecord.encode(P, e));
            return c.sync().zadd(RedisKeys.semanticIndex("p"), e.expiresAt().toEpochMilli(), id);
        });
        assertTrue(b.find(P, unit(7)).isEmpty());
        redis.query(c -> c.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub()));
        b.await("load");
        assertEquals("missed", b.find(P, unit(7)).get(0).entry().key());
    }

    @Test
    void aDamagedRecordIsSkippedAndTheRestLoads() throws Exception {
        Entry e = entry("good", unit(0), Duration.ofHours(1));
        byte[] goodId = SemanticRecord.id(P.scope(), e.key());
        byte[] badId = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        redis.query(c -> {
            c.sync().set(RedisKeys.semanticEntry("p", badId), new byte[] {SemanticRecord.VERSION, 0, 0});
            c.sync().zadd(RedisKeys.semanticIndex("p"), e.expiresAt().toEpochMilli(), badId);
            c.sync().set(RedisKeys.semanticEntry("p", goodId), SemanticRecord.encode(P, e));
            return c.sync().zadd(RedisKeys.semanticIndex("p"), e.expiresAt().toEpochMilli(), goodId);
        });
        Member a = new Member("p");
        assertEquals(1, a.index.size("p"));
        assertEquals("good", a.find(P, unit(0)).get(0).entry().key());
    }

}
