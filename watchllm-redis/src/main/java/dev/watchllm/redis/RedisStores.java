package dev.watchllm.redis;

import dev.watchllm.auth.KeyStore;
import dev.watchllm.cache.ResponseCache;
import dev.watchllm.config.ConfigException;
import dev.watchllm.limit.RateLimitStore;
import dev.watchllm.metering.UsageLedger;
import dev.watchllm.semantic.VectorIndex;
import dev.watchllm.store.SharedStores;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Everything several engines share, on one Redis (Lettuce): limit counters, the exact cache, the
 * usage ledger, the keys and the semantic index ({@link #semanticIndex}). Opened by the engine when {@code store.type} is {@code redis} (through
 * {@link RedisStoreProvider}), or by hand for {@code WatchLlm.builder()}:
 *
 * <pre>{@code
 * RedisStores redis = RedisStores.connect("redis://127.0.0.1:6379", true, clock);
 * WatchLlm engine = WatchLlm.builder().config(config)
 *         .rateLimitStore(redis.rateLimitStore()).responseCache(redis.responseCache())
 *         .usageLedger(redis.usageLedger()).keyStore(redis.keyStore()).build();
 * }</pre>
 *
 * <p>Every command has a short timeout ({@value #DEFAULT_TIMEOUT_MS} ms unless the URI says
 * {@code ?timeout=}); while disconnected, commands fail at once instead of queueing, and Lettuce
 * reconnects in the background. Redis must answer at start-up (a gateway that starts without its
 * shared state would start on wrong counters unnoticed).
 */
public final class RedisStores implements SharedStores {
    static final long DEFAULT_TIMEOUT_MS = 250;
    static final Duration KEY_RELOAD = Duration.ofSeconds(30);
    /** For connecting and the first handshake only. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> strings;
    private final StatefulRedisConnection<byte[], byte[]> bytes;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final ScheduledExecutorService scheduler;
    private final RedisRateLimitStore limits;
    private final RedisResponseCache cache;
    private final RedisUsageLedger ledger;
    private final RedisKeyStore keys;
    private final RedisGuard guard;
    private final Clock clock;
    private final Duration timeout;
    private final String where;

    private RedisStores(RedisURI uri, Duration timeout, boolean failOpen, Clock clock) {
        this.where = uri.getHost() + ":" + uri.getPort();
        this.clock = clock;
        this.timeout = timeout;
        // reconnect soon after Redis comes back (Lettuce's default backs off up to 30 s)
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        try {
            this.strings = client.connect(StringCodec.UTF8);
            this.bytes = client.connect(ByteArrayCodec.INSTANCE);
            this.pubSub = client.connectPubSub(StringCodec.UTF8);
            // the URI's longer timeout let the handshakes of a cold JVM finish; commands get the short one
            strings.setTimeout(timeout);
            bytes.setTimeout(timeout);
            pubSub.setTimeout(timeout);
            this.guard = new RedisGuard(failOpen, where);
            this.limits = new RedisRateLimitStore(bytes, strings, guard, clock, timeout, where);
            this.cache = new RedisResponseCache(bytes, guard);
            this.ledger = new RedisUsageLedger(strings, guard, timeout);
            this.keys = new RedisKeyStore(strings, pubSub, guard);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw new ConfigException("store.uri: cannot use Redis at " + where + " (" + e.getMessage() + ")", e);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "watchllm-redis");
            t.setDaemon(true);
            return t;
        });
        long reload = KEY_RELOAD.toMillis();
        scheduler.scheduleWithFixedDelay(keys::reload, reload, reload, TimeUnit.MILLISECONDS);
        // usage records Redis did not take are retried well before the engine's 30 s flush
        scheduler.scheduleWithFixedDelay(ledger::flush, 5, 5, TimeUnit.SECONDS);
    }

    /**
     * Connects to {@code uri} ({@code redis://[password@]host[:port][/db][?timeout=500ms]}, or
     * {@code rediss://} for TLS). {@code failOpen}: serve on local limits while Redis fails, instead
     * of answering 503. {@code clock}: the engine's clock (rate windows).
     */
    public static RedisStores connect(String uri, boolean failOpen, Clock clock) {
        Objects.requireNonNull(uri, "uri");
        RedisURI u;
        try {
            u = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new ConfigException("store.uri: '" + uri.replaceAll("//[^@/]*@", "//***@") + "' is not a Redis URI (" + e.getMessage() + ")");
        }
        Duration timeout = uri.contains("timeout=") ? u.getTimeout() : Duration.ofMillis(DEFAULT_TIMEOUT_MS);
        u.setTimeout(CONNECT_TIMEOUT.compareTo(timeout) > 0 ? CONNECT_TIMEOUT : timeout);
        return new RedisStores(u, timeout, failOpen, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public KeyStore keyStore() {
        return keys;
    }

    @Override
    public ResponseCache responseCache() {
        return cache;
    }

    @Override
    public UsageLedger usageLedger() {
        return ledger;
    }

    @Override
    public RateLimitStore rateLimitStore() {
        return limits;
    }

    /**
     * The semantic index shared through this Redis (see {@link RedisSemanticIndex} for the design):
     * {@code local} answers every search; entries are written to Redis and every engine's local
     * index loads them at start and follows their changes by pub/sub. Opens one more connection
     * (the subscription) and loads before it returns.
     */
    @Override
    public VectorIndex semanticIndex(VectorIndex local, Set<String> projectIds) {
        if (projectIds.isEmpty()) return local;
        StatefulRedisPubSubConnection<byte[], byte[]> sub = null;
        try {
            sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            sub.setTimeout(timeout);
            return new RedisSemanticIndex(local, projectIds, bytes, sub, guard, clock);
        } catch (RuntimeException e) {
            if (sub != null) sub.close();
            throw new ConfigException("store.uri: cannot share the semantic index through Redis at " + where + " (" + e.getMessage() + ")", e);
        }
    }

    /** Stops the background reloads, sends what the ledger still holds, and closes the connections. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            ledger.flush();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
