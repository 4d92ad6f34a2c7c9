package dev.watchllm.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Keys in memory only: config keys, and minted ones until the process ends. */
public class InMemoryKeyStore implements KeyStore {
    private final Map<String, ApiKeyRecord> byHash = new ConcurrentHashMap<>();
    private final Map<String, ApiKeyRecord> byId = new ConcurrentHashMap<>();

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
}
