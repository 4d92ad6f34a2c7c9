package dev.watchllm.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.auth.ApiKeyRecord;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.store.StoreUnavailableException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Minted keys and revocations shared by every engine: one Redis hash ({@code watchllm:keys}, key
 * id to a JSON record with the SHA-256 and a masked hint, never the key). Lookups are answered
 * from memory; each change is published on {@code watchllm:keys:changes} and every engine reloads
 * that record at once, and reloads the whole hash every {@link RedisStores#KEY_RELOAD} (and on
 * start), which also catches changes missed while it was disconnected. Adding or revoking while
 * Redis is unavailable throws {@link StoreUnavailableException}: a key only one engine knows
 * would be a key that works by chance.
 */
final class RedisKeyStore extends InMemoryKeyStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisKeyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StatefulRedisConnection<String, String> c;
    private final StatefulRedisPubSubConnection<String, String> sub;
    private final RedisGuard guard;

    RedisKeyStore(StatefulRedisConnection<String, String> c, StatefulRedisPubSubConnection<String, String> sub, RedisGuard guard) {
        this.c = c;
        this.sub = sub;
        this.guard = guard;
        sub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String keyId) {
                // on the connection's event thread: fetch without blocking it
                c.async().hget(RedisKeys.KEYS_HASH, keyId).thenAccept(json -> {
                    if (json != null) load(keyId, json);
                });
            }
        });
        sub.sync().subscribe(RedisKeys.KEYS_CHANNEL);
        reload();
    }

    /** Reads every key record from Redis; a failure keeps what is known and is logged by the guard. */
    void reload() {
        Map<String, String> all = guard.quiet("key reload", () -> c.sync().hgetall(RedisKeys.KEYS_HASH), () -> null);
        if (all == null) return;
        all.forEach(this::load);
    }

    private void load(String id, String json) {
        try {
            JsonNode j = JSON.readTree(json);
            put(new ApiKeyRecord(id, j.get("project").asText(), j.get("sha256").asText(), j.path("hint").asText(null),
                    Instant.parse(j.get("createdAt").asText()), j.path("revoked").asBoolean(false)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping unreadable key record '{}' in Redis", id);
        }
    }

    @Override
    public void add(ApiKeyRecord r) {
        write(r);
        super.add(r);
    }

    @Override
    public boolean revoke(String keyId) {
        ApiKeyRecord r = byId(keyId);
        if (r == null) {
            String json = call("key read", () -> c.sync().hget(RedisKeys.KEYS_HASH, keyId));
            if (json == null) return false;
            load(keyId, json);
            r = byId(keyId);
            if (r == null) return false;
        }
        ApiKeyRecord revoked = r.revoke();
        write(revoked);
        put(revoked);
        return true;
    }

    private void write(ApiKeyRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("project", r.projectId()).put("sha256", r.sha256()).put("hint", r.hint()).put("createdAt", r.createdAt().toString())
                .put("revoked", r.revoked());
        String json = j.toString();
        call("key write", () -> c.sync().hset(RedisKeys.KEYS_HASH, r.id(), json));
        // stored is what counts: an engine that misses the notice finds the change at its next reload
        guard.quiet("key change notice", () -> c.sync().publish(RedisKeys.KEYS_CHANNEL, r.id()), () -> 0L);
    }

    private <T> T call(String what, java.util.function.Supplier<T> remote) {
        try {
            T v = remote.get();
            guard.ok();
            return v;
        } catch (RuntimeException e) {
            guard.failed(what, e);
            throw new StoreUnavailableException("Redis did not answer a " + what + "; the key was not changed", e);
        }
    }

    @Override
    public void close() {
        try {
            sub.sync().unsubscribe(RedisKeys.KEYS_CHANNEL);
        } catch (RuntimeException e) {
            // closing: the connection goes anyway
        }
    }
}
