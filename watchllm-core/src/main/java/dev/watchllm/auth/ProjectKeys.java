package dev.watchllm.auth;

import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every project's keys as an operator sees them: those declared in the config file and those minted
 * into the {@link KeyStore}; minting, listing (masked, with created and last-used times) and
 * revoking. A config key cannot be removed from a running engine's config, so revoking one puts its
 * id on the store's revocation list, which outlives restarts as minted keys do.
 */
public final class ProjectKeys {
    /** Where a key is declared. */
    public enum Source { CONFIG, STORE }

    /**
     * One key as listed: never the key, only a masked hint ({@code lgw_dev_ab12…}; for a config key,
     * whose secret the engine never saw, {@code lgw_…}).
     *
     * @param createdAt  when it was minted; null for a config key
     * @param lastUsedAt when it last authenticated a request (to the second); null when never
     */
    public record KeyInfo(String id, String projectId, String masked, Source source, Instant createdAt, Instant lastUsedAt,
                          boolean revoked) {
    }

    /** A freshly minted key: {@link #key} is shown this once and stored nowhere. */
    public record MintedKey(String id, String projectId, String key, Instant createdAt) {
    }

    private final WatchLlmConfig config;
    private final KeyStore keys;
    private final Clock clock;
    /** Config key id -> its project. */
    private final Map<String, String> declared = new HashMap<>();

    public ProjectKeys(WatchLlmConfig config, KeyStore keys, Clock clock) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        for (ProjectConfig p : config.projects()) {
            for (KeyEntry k : p.keys()) declared.put(k.id(), p.id());
        }
    }

    /**
     * Mints a key for {@code projectId} in environment {@code env}, stores its hash and returns it.
     *
     * @throws IllegalArgumentException for a project not in the config or an env that is not 1-16 lower-case letters
     */
    public MintedKey mint(String projectId, String env) {
        if (config.project(projectId) == null) {
            throw new IllegalArgumentException("no project '" + projectId + "' in the config");
        }
        String key = ApiKeys.mint(env);
        String id;
        do {
            id = projectId + "-" + env + "-" + UUID.randomUUID().toString().substring(0, 8);
        } while (declared.containsKey(id) || keys.findById(id) != null);
        Instant now = clock.instant();
        keys.add(new ApiKeyRecord(id, projectId, ApiKeys.sha256Hex(key), ApiKeys.mask(key), now, false));
        return new MintedKey(id, projectId, key, now);
    }

    /** The project's keys: the config file's in their order, then the minted ones by id. */
    public List<KeyInfo> list(String projectId) {
        List<KeyInfo> out = new ArrayList<>();
        ProjectConfig p = config.project(projectId);
        if (p == null) return out;
        for (KeyEntry k : p.keys()) out.add(declaredInfo(k.id(), projectId));
        for (ApiKeyRecord r : keys.list(projectId)) {
            if (!declared.containsKey(r.id())) out.add(storedInfo(r));
        }
        return out;
    }

    /** Keys of the project that are not revoked. */
    public int activeCount(String projectId) {
        int n = 0;
        for (KeyInfo k : list(projectId)) {
            if (!k.revoked()) n++;
        }
        return n;
    }

    /** The key with this id, or null. */
    public KeyInfo find(String keyId) {
        String project = declared.get(keyId);
        if (project != null) return declaredInfo(keyId, project);
        ApiKeyRecord r = keys.findById(keyId);
        return r == null ? null : storedInfo(r);
    }

    /**
     * Revokes the key with this id, from the next request on; revoking a revoked key changes nothing.
     * Returns the key as it is now, or null when no key has this id.
     */
    public KeyInfo revoke(String keyId) {
        KeyInfo k = find(keyId);
        if (k == null) return null;
        if (!k.revoked()) {
            if (k.source() == Source.CONFIG) keys.revokeDeclared(keyId);
            else keys.revoke(keyId);
        }
        return find(keyId);
    }

    private KeyInfo declaredInfo(String id, String projectId) {
        return new KeyInfo(id, projectId, ApiKeys.PREFIX + "…", Source.CONFIG, null, keys.lastUsed(id), keys.isRevoked(id));
    }

    private KeyInfo storedInfo(ApiKeyRecord r) {
        return new KeyInfo(r.id(), r.projectId(), r.hint(), Source.STORE, r.createdAt(), keys.lastUsed(r.id()), r.revoked());
    }
}
