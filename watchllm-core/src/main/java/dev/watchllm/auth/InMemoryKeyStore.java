package dev.watchllm.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Keys in memory only: config keys, and minted ones until the process ends. */
public class InMemoryKeyStore implements KeyStore {
    private final Map<String, ApiKeyRecord> byHash = new ConcurrentHashMap<>();
    private final Map<String, ApiKeyRecord> byId = new ConcurrentHashMap<>();
    /** Ids of revoked keys that the config file declares (the store does not hold them). */
    private final Set<String> revokedDeclared = ConcurrentHashMap.newKeySet();
    /** Key id -> epoch second of its last use. */
    private final Map<String, AtomicLong> lastUse = new ConcurrentHashMap<>();

    @Override
    public ApiKeyRecord findByHash(String sha256Hex) {
        return byHash.get(sha256Hex);
    }

    @Override
    public void add(ApiKeyRecord r) {
        put(r);
    }

    /** Puts without persisting; subclasses call it while loading. */
    protected final void put(ApiKeyRecord r) {
        ApiKeyRecord old = byId.put(r.id(), r);
        if (old != null && !old.sha256().equals(r.sha256())) {
            byHash.remove(old.sha256());
        }
        byHash.put(r.sha256(), r);
    }

    @Override
    public boolean revoke(String keyId) {
        ApiKeyRecord r = byId.get(keyId);
        if (r == null) return false;
        put(r.revoke());
        return true;
    }

    @Override
    public List<ApiKeyRecord> list(String projectId) {
        List<ApiKeyRecord> out = new ArrayList<>();
        for (ApiKeyRecord r : byId.values()) {
            if (r.projectId().equals(projectId)) out.add(r);
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    protected final ApiKeyRecord byId(String id) {
        return byId.get(id);
    }

    @Override
    public ApiKeyRecord findById(String keyId) {
        return byId.get(keyId);
    }

    @Override
    public void revokeDeclared(String keyId) {
        markDeclaredRevoked(keyId);
    }

    /** Puts a config key on the revocation list without persisting; subclasses call it while loading. */
    protected final void markDeclaredRevoked(String keyId) {
        revokedDeclared.add(keyId);
    }

    @Override
    public boolean isRevoked(String keyId) {
        if (revokedDeclared.contains(keyId)) return true;
        ApiKeyRecord r = byId.get(keyId);
        return r != null && r.revoked();
    }

    /** Lock-free; a key's timestamp moves at most once a second, and only then does {@link #lastUseChanged} run. */
    @Override
    public void used(String keyId, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000L);
        AtomicLong last = lastUse.get(keyId);
        if (last == null) last = lastUse.computeIfAbsent(keyId, k -> new AtomicLong(Long.MIN_VALUE));
        long prev = last.get();
        if (second > prev && last.compareAndSet(prev, second)) lastUseChanged();
    }

    @Override
    public Instant lastUsed(String keyId) {
        AtomicLong last = lastUse.get(keyId);
        long s = last == null ? Long.MIN_VALUE : last.get();
        return s == Long.MIN_VALUE ? null : Instant.ofEpochSecond(s);
    }

    /** Called when a key's last use moved (at most once a second per key); persistent stores mark themselves dirty. */
    protected void lastUseChanged() {
    }

    /** Every key's last use, as epoch seconds (a snapshot, for persisting). */
    protected final Map<String, Long> lastUseSnapshot() {
        Map<String, Long> out = new TreeMap<>();
        lastUse.forEach((k, v) -> {
            long s = v.get();
            if (s != Long.MIN_VALUE) out.put(k, s);
        });
        return out;
    }

    /** Restores a key's last use (epoch seconds) without marking anything changed; for loading. */
    protected final void restoreLastUse(String keyId, long epochSecond) {
        lastUse.computeIfAbsent(keyId, k -> new AtomicLong(Long.MIN_VALUE)).accumulateAndGet(epochSecond, Math::max);
    }
}
