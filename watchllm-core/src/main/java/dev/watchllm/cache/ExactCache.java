package dev.watchllm.cache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * The exact response cache's rules, apart from HTTP: which entry a request may use (its
 * project's, unexpired by the engine's clock, young enough for {@code max-age}) and which answers
 * may be kept (complete successes no larger than {@code cache.maxEntrySize}). Thread-safe.
 */
public final class ExactCache implements AutoCloseable {
    private final ResponseCache store;
    private final Clock clock;
    private final long maxEntryBytes;

    public ExactCache(ResponseCache store, Clock clock, long maxEntryBytes) {
        this.store = store;
        this.clock = clock;
        this.maxEntryBytes = maxEntryBytes;
    }

    /**
     * The engine's cache: Ehcache tiers under {@code <store.dir>/cache}, or nothing when no
     * project has its cache enabled (no memory reserved, no files written).
     */
    public static ExactCache open(WatchLlmConfig config, Clock clock) {
        return open(config, clock, null);
    }

    /** The engine's cache over {@code shared} (e.g. Redis); null for the default Ehcache tiers. */
    public static ExactCache open(WatchLlmConfig config, Clock clock, ResponseCache shared) {
        boolean anyEnabled = false;
        for (ProjectConfig p : config.projects()) anyEnabled |= p.cache().enabled();
        ResponseCache store = !anyEnabled ? ResponseCache.NONE
                : shared != null ? shared
                : EhcacheResponseCache.open(config.cache(), config.store().dir().resolve("cache"));
        return new ExactCache(store, clock, config.cache().maxEntryBytes());
    }

    public long now() {
        return clock.millis();
    }

    /** The key of {@code req} in {@code projectId}'s part of the cache. */
    public String key(String projectId, ParsedRequest req) {
        return CacheKey.of(projectId, req.endpoint(), req.body());
    }

    /**
     * The entry a request may use, or null: stored under {@code key} for this very project, not
     * expired at the engine's clock, and at most {@code maxAgeSeconds} old (-1: any age).
     */
    public CachedAnswer lookup(String key, String projectId, long maxAgeSeconds) {
        CachedAnswer a = store.get(key);
        if (a == null) return null;
        // the key already separates projects; this check makes a collision harmless too
        if (!a.projectId().equals(projectId)) return null;
        long now = clock.millis();
        if (now >= a.expiresAtMillis()) {
            store.remove(key);
            return null;
        }
        if (maxAgeSeconds >= 0 && ageMillis(a, now) > maxAgeSeconds * 1000) return null;
        return a;
    }

    /** True when {@code a} is at most {@code maxAgeSeconds} old (-1: any age). */
    public boolean youngEnough(CachedAnswer a, long maxAgeSeconds) {
        return maxAgeSeconds < 0 || ageMillis(a, clock.millis()) <= maxAgeSeconds * 1000;
    }

    /** Whole seconds since {@code a} was stored (0 if the clock went back). */
    public long ageSeconds(CachedAnswer a) {
        return ageMillis(a, clock.millis()) / 1000;
    }

    private static long ageMillis(CachedAnswer a, long now) {
        return Math.max(0, now - a.storedAtMillis());
    }

    /** Drops an entry that turned out unusable (it could not be replayed). */
    public void evict(String key) {
        store.remove(key);
    }

    /**
     * What a finished call produced, as an answer to keep or share; null unless it is a complete
     * success: 2xx and, for chat and text completions, a finish reason on every choice (a stream
     * must also have reached {@code [DONE]}: {@code complete}); for embeddings, a {@code data} list.
     * Its age and TTL count from {@code answeredAtMillis} (-1: now).
     */
    public CachedAnswer answerOf(String projectId, Endpoint endpoint, String provider, int status, byte[] body, List<byte[]> events,
                                 boolean complete, long answeredAtMillis, long ttlMillis) {
        if (!complete || status / 100 != 2 || provider == null) return null;
        long now = answeredAtMillis >= 0 ? answeredAtMillis : clock.millis();
        long expires = ttlMillis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMillis;
        if (events != null) {
            CachedAnswer a = CachedAnswer.stream(projectId, provider, now, expires, events);
            // assembling checks the stream is a whole answer, and is kept for plain hits
            return a.plainBody(endpoint) != null ? a : null;
        }
        if (body == null || !completeBody(endpoint, body)) return null;
        return CachedAnswer.plain(projectId, provider, now, expires, body);
    }

    /** Keeps {@code a} under {@code key} unless it is larger than {@code cache.maxEntrySize}; true if kept. */
    public boolean store(String key, CachedAnswer a) {
        if (a.size() > maxEntryBytes) return false;
        store.put(key, a);
        return true;
    }

    private static boolean completeBody(Endpoint endpoint, byte[] body) {
        JsonNode root;
        try {
            root = RequestParser.mapper().readTree(body);
        } catch (IOException e) {
            return false;
        }
        if (root == null || !root.isObject() || root.has("error")) return false;
        if (endpoint == Endpoint.EMBEDDINGS) return root.path("data").isArray();
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) return false;
        for (JsonNode c : choices) {
            JsonNode fr = c.get("finish_reason");
            if (fr == null || fr.isNull()) return false;
        }
        return true;
    }

    @Override
    public void close() {
        store.close();
    }
}
