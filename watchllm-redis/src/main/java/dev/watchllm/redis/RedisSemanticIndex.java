package dev.watchllm.redis;

import dev.watchllm.semantic.VectorIndex;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantic cache's index shared by every engine on one Redis. Each engine keeps its own
 * in-memory index (the {@code local} one it was given) and searches only that: a lookup never
 * waits for Redis. This class keeps the local indexes in step:
 * <ul>
 * <li><b>Write.</b> An entry this engine stores goes into its local index, then, in one Lua script
 *     sent without waiting, to Redis: the record ({@link SemanticRecord}: partition, key, vector,
 *     text, stored-at, expires-at) as {@code watchllm:semantic:<project>:<id>} with a Redis TTL
 *     ending at its expiry ({@code SET PX}), its id in the project's set
 *     {@code watchllm:semantic:<project>} (scored by expiry; expired ids are trimmed on each write),
 *     and the record published on {@code watchllm:semantic:changes}. A removal deletes both and
 *     publishes the removal.</li>
 * <li><b>Start.</b> The engine subscribes to the channel, then loads the live entries of its
 *     projects ({@code ZSCAN} of each project's set, {@code MGET} in batches) into its local index,
 *     before the engine serves (bounded: {@value #FIRST_LOAD_WAIT_SECONDS} s, then it goes on in
 *     the background).</li>
 * <li><b>Follow.</b> Every message of another engine is applied to the local index on one thread,
 *     in the order Redis delivered it, within milliseconds. An engine ignores its own messages
 *     (each carries its sender's id). For one entry the newest {@code storedAt} wins, so a late or
 *     repeated message, or a load racing a message, never brings an older entry back over a newer.</li>
 * <li><b>Faults.</b> While Redis fails, searches go on over what the local index holds; writes and
 *     removals reach only this engine (Redis does not get them later) and are reported by the
 *     store's once-a-minute warning. When the connection comes back, Lettuce subscribes again and
 *     the index loads everything again (what other engines wrote meanwhile); a load that fails is
 *     retried, after 100 ms at first, then less often, up to every {@value #RETRY_SECONDS} s.</li>
 * </ul>
 * Only the projects this engine matches semantically are loaded and followed; every entry stays
 * in its own partition (project, context, embedding space), as in a local index. Removals are
 * rare (an entry whose answer is gone): a removal racing a fresh store of the same prompt on
 * another engine may drop that fresh entry, which costs one miss.
 */
final class RedisSemanticIndex implements VectorIndex {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSemanticIndex.class);
    static final long FIRST_LOAD_WAIT_SECONDS = 30;
    static final long RETRY_SECONDS = 5;
    static final long FIRST_RETRY_MILLIS = 100;
    static final int LOAD_BATCH = 256;

    /** KEYS: project set, entry; ARGV: id, record, expires-at ms, now ms, channel, message header. */
    private static final String PUT = """
            local ttl = tonumber(ARGV[3]) - tonumber(ARGV[4])
            if ttl <= 0 then return 0 end
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
            redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
            local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
            redis.call('PEXPIRE', KEYS[1], math.max(ttl, tonumber(last[2]) - tonumber(ARGV[4])))
            redis.call('PUBLISH', ARGV[5], ARGV[6] .. ARGV[2])
            return 1""";
    /** KEYS: project set, entry; ARGV: id, channel, message. */
    private static final String REMOVE = """
            redis.call('DEL', KEYS[2])
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 1""";

    /** One entry of one partition. */
    private record EntryId(Partition partition, String key) {
    }

    /** What this engine's local index holds for an entry, as far as this class put it there. */
    private record Stamp(long storedAt, long expiresAt) {
    }

    private final VectorIndex local;
    private final Set<String> projects;
    private final StatefulRedisConnection<byte[], byte[]> c;
    private final StatefulRedisPubSubConnection<byte[], byte[]> sub;
    private final RedisGuard guard;
    private final Clock clock;
    private final Script put;
    private final Script remove;
    private final long origin = ThreadLocalRandom.current().nextLong();
    private final byte[] putHeader = SemanticRecord.putHeader(origin);
    private final ConcurrentHashMap<EntryId, Stamp> known = new ConcurrentHashMap<>();
    private final ScheduledExecutorService applier;
    private final CompletableFuture<Void> firstLoad = new CompletableFuture<>();
    private final AtomicBoolean retryPlanned = new AtomicBoolean();
    private final AtomicLong lastDamaged = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean closed;
    /** The wait before the next retry of a failed load; only the applier thread touches it. */
    private long retryMillis = FIRST_RETRY_MILLIS;
    private volatile Consumer<String> events = e -> { };

    RedisSemanticIndex(VectorIndex local, Set<String> projects, StatefulRedisConnection<byte[], byte[]> c,
                       StatefulRedisPubSubConnection<byte[], byte[]> sub, RedisGuard guard, Clock clock) {
        this.local = local;
        this.projects = Set.copyOf(projects);
        this.c = c;
        this.sub = sub;
        this.guard = guard;
        this.clock = clock;
        this.put = new Script(c, PUT);
        this.remove = new Script(c, REMOVE);
        this.applier = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "watchllm-redis-semantic");
            t.setDaemon(true);
            return t;
        });
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                run(() -> apply(message)); // off the connection's event thread, in arrival order
            }

            @Override
            public void subscribed(byte[] channel, long count) {
                run(RedisSemanticIndex.this::load); // at start, and after every reconnection
            }
        });
        sub.sync().subscribe(RedisKeys.SEMANTIC_CHANNEL);
        try {
            firstLoad.get(FIRST_LOAD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warn("The shared semantic index is still loading after {} s; it goes on in the background", FIRST_LOAD_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // load() completes it normally; nothing else can fail it
        }
    }

    @Override
    public boolean put(Partition partition, Entry entry) {
        if (!local.put(partition, entry)) return false;
        long storedAt = entry.storedAt().toEpochMilli();
        long expiresAt = entry.expiresAt().toEpochMilli();
        known.put(new EntryId(partition, entry.key()), new Stamp(storedAt, expiresAt));
        long now = clock.millis();
        if (expiresAt <= now) return true;
        byte[] id = SemanticRecord.id(partition.scope(), entry.key());
        byte[][] keys = {RedisKeys.semanticIndex(partition.projectId()), RedisKeys.semanticEntry(partition.projectId(), id)};
        send("semantic index write", () -> put.runAsync(c, keys, id, SemanticRecord.encode(partition, entry), ascii(expiresAt), ascii(now),
                RedisKeys.SEMANTIC_CHANNEL, putHeader));
        return true;
    }

    @Override
    public boolean remove(Partition partition, String key) {
        boolean was = local.remove(partition, key);
        known.remove(new EntryId(partition, key));
        // sent even when this engine did not hold it: the answer it points at is gone for every engine
        byte[] id = SemanticRecord.id(partition.scope(), key);
        byte[][] keys = {RedisKeys.semanticIndex(partition.projectId()), RedisKeys.semanticEntry(partition.projectId(), id)};
        send("semantic index removal", () -> remove.runAsync(c, keys, id, RedisKeys.SEMANTIC_CHANNEL,
                SemanticRecord.removal(origin, partition, key)));
        return was;
    }

    @Override
    public List<Match> nearest(Partition partition, float[] query, int k, double minSimilarity, Instant now) {
        return local.nearest(partition, query, k, minSimilarity, now);
    }

    @Override
    public int size(String projectId) {
        return local.size(projectId);
    }

    @Override
    public int evictExpired(Instant now) {
        long ms = now.toEpochMilli();
        known.values().removeIf(s -> s.expiresAt() <= ms);
        return local.evictExpired(now);
    }

    /** Stops following Redis and closes the local index. */
    @Override
    public void close() {
        closed = true;
        try {
            sub.close();
        } catch (RuntimeException e) {
            // closing: the connection goes anyway
        }
        applier.shutdownNow();
        local.close();
    }

    /** For tests: told {@code "load"}, {@code "put"} or {@code "remove"} after each successful load and each message of another engine was applied. */
    void onEvent(Consumer<String> listener) {
        this.events = listener;
    }

    private void send(String what, java.util.function.Supplier<CompletableFuture<Long>> command) {
        try {
            command.get().whenComplete((v, e) -> {
                if (e != null) guard.failed(what, e);
                else guard.ok();
            });
        } catch (RuntimeException e) {
            guard.failed(what, e);
        }
    }

    private void run(Runnable task) {
        try {
            applier.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing left to keep in step
        }
    }

    /** Applies one message of the channel; on the applier thread. */
    private void apply(byte[] message) {
        if (message.length < SemanticRecord.HEADER) return;
        ByteBuffer b = ByteBuffer.wrap(message);
        byte kind = b.get();
        if (b.getLong() == origin) return; // already done here
        try {
            if (kind == SemanticRecord.PUT) {
                SemanticRecord.Put p = SemanticRecord.decode(b);
                take(p.partition(), p.entry(), clock.millis());
                events.accept("put");
            } else if (kind == SemanticRecord.REMOVE) {
                SemanticRecord.Removal r = SemanticRecord.decodeRemoval(b);
                if (projects.contains(r.partition().projectId())) {
                    local.remove(r.partition(), r.key());
                    known.remove(new EntryId(r.partition(), r.key()));
                }
                events.accept("remove");
            }
        } catch (IllegalArgumentException e) {
            damaged(e);
        }
    }

    /** Puts an entry another engine stored into the local index, unless it is expired, not followed, or older than what is here. */
    private void take(Partition partition, Entry entry, long now) {
        if (!projects.contains(partition.projectId())) return;
        long expiresAt = entry.expiresAt().toEpochMilli();
        if (expiresAt <= now) return;
        EntryId id = new EntryId(partition, entry.key());
        long storedAt = entry.storedAt().toEpochMilli();
        Stamp have = known.get(id);
        if (have != null && have.storedAt() >= storedAt) return;
        if (local.put(partition, entry)) known.put(id, new Stamp(storedAt, expiresAt));
    }

    /** Loads the live entries of every followed project; on the applier thread. */
    private void load() {
        if (closed) return;
        try {
            long now = clock.millis();
            for (String project : projects) loadProject(project, now);
            guard.ok();
            retryMillis = FIRST_RETRY_MILLIS;
            events.accept("load");
        } catch (RuntimeException e) {
            guard.failed("semantic index load", e);
            // the subscription may come back before the command connection does: retry soon, then less often
            long delay = retryMillis;
            retryMillis = Math.min(RETRY_SECONDS * 1000, delay * 2);
            if (!closed && retryPlanned.compareAndSet(false, true)) {
                try {
                    applier.schedule(() -> {
                        retryPlanned.set(false);
                        load();
                    }, delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    // closed meanwhile
                }
            }
        } finally {
            firstLoad.complete(null);
        }
    }

    private void loadProject(String project, long now) {
        RedisCommands<byte[], byte[]> r = c.sync();
        byte[] index = RedisKeys.semanticIndex(project);
        r.zremrangebyscore(index, Range.from(Range.Boundary.unbounded(), Range.Boundary.including(now)));
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs batch = ScanArgs.Builder.limit(LOAD_BATCH);
        do {
            ScoredValueScanCursor<byte[]> page = r.zscan(index, cursor, batch);
            List<byte[]> ids = new ArrayList<>(page.getValues().size());
            for (ScoredValue<byte[]> v : page.getValues()) {
                if (v.getScore() > now) ids.add(v.getValue());
            }
            if (!ids.isEmpty()) loadEntries(r, project, index, ids, now);
            cursor = page;
        } while (!cursor.isFinished());
    }

    private void loadEntries(RedisCommands<byte[], byte[]> r, String project, byte[] index, List<byte[]> ids, long now) {
        byte[][] keys = new byte[ids.size()][];
        for (int i = 0; i < keys.length; i++) keys[i] = RedisKeys.semanticEntry(project, ids.get(i));
        List<KeyValue<byte[], byte[]>> values = r.mget(keys);
        List<byte[]> gone = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            KeyValue<byte[], byte[]> kv = values.get(i);
            if (!kv.hasValue()) {
                gone.add(ids.get(i)); // its own TTL ran out before the set was trimmed
                continue;
            }
            try {
                SemanticRecord.Put p = SemanticRecord.decode(ByteBuffer.wrap(kv.getValue()));
                // the record must belong to the set it was found through: a project never loads another's entry
                if (p.partition().projectId().equals(project)) take(p.partition(), p.entry(), now);
            } catch (IllegalArgumentException e) {
                damaged(e);
            }
        }
        if (!gone.isEmpty()) r.zrem(index, gone.toArray(new byte[0][]));
    }

    private void damaged(IllegalArgumentException e) {
        long now = System.nanoTime();
        long last = lastDamaged.get();
        if ((last == Long.MIN_VALUE || now - last >= 60_000_000_000L) && lastDamaged.compareAndSet(last, now)) {
            LOG.warn("Skipping an unreadable semantic index record from Redis ({}); this warning repeats at most once a minute", e.getMessage());
        }
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
