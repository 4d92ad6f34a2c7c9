package dev.watchllm.auth;

import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.openai.OpenAiError;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@code Authorization} header (keys from the config file, then the {@link KeyStore}) into a {@link Caller}, or an OpenAI-shaped 401.
 * The presented key is hashed and looked up by hash, so lookup time depends on the hash, not on how
 * much of a stored key an attacker guessed; the found hash is compared again in constant time.
 */
public final class Authenticator {
    private final KeyStore keys;
    private final Map<String, Caller> callersByProjectAndKey = new ConcurrentHashMap<>();
    private final Map<String, ProjectConfig> projects = new HashMap<>();
    private final Map<String, ApiKeyRecord> configKeys = new HashMap<>();
    private final Map<String, PlanConfig> plans;
    /** For each key's last use ({@link KeyStore#used}). */
    private final java.time.Clock clock;

    /** The outcome of authentication: a caller, or the error to answer with. */
    public record Result(Caller caller, OpenAiError error) {
    }

    public Authenticator(WatchLlmConfig config, KeyStore keys) {
        this(config, keys, java.time.Clock.systemUTC());
    }

    /** With the engine's clock, which times each key's last use. */
    public Authenticator(WatchLlmConfig config, KeyStore keys, java.time.Clock clock) {
        this.keys = keys;
        this.clock = clock;
        this.plans = config.plans();
        for (ProjectConfig p : config.projects()) {
            projects.put(p.id(), p);
            for (dev.watchllm.config.KeyEntry k : p.keys()) {
                configKeys.put(k.sha256(), new ApiKeyRecord(k.id(), p.id(), k.sha256(), "lgw_… (" + k.id() + ")", null, false));
            }
        }
    }

    public Result authenticate(String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            return new Result(null, OpenAiError.MISSING_API_KEY);
        }
        if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Result(null, OpenAiError.NOT_BEARER);
        }
        String key = authorization.substring(7).trim();
        if (key.isEmpty()) {
            return new Result(null, OpenAiError.MISSING_API_KEY);
        }
        if (!ApiKeys.isWellFormed(key)) {
            return new Result(null, OpenAiError.MALFORMED_API_KEY);
        }
        byte[] hash = ApiKeys.sha256(key);
        String hex = ApiKeys.hex(hash);
        ApiKeyRecord r = configKeys.get(hex);
        if (r != null && keys.isRevoked(r.id())) r = null; // a config key revoked through the admin API
        if (r == null) r = keys.findByHash(hex);
        if (r == null || r.revoked() || !ApiKeys.sameHash(hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                r.sha256().getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            return new Result(null, OpenAiError.INVALID_API_KEY);
        }
        Caller c = caller(r);
        if (c == null) return new Result(null, OpenAiError.INVALID_API_KEY);
        keys.used(r.id(), clock.millis());
        return new Result(c, null);
    }

    private Caller caller(ApiKeyRecord r) {
        Caller c = callersByProjectAndKey.get(r.id());
        if (c != null && c.projectId().equals(r.projectId())) return c;
        ProjectConfig p = projects.get(r.projectId());
        if (p == null) return null; // a minted key for a project no longer in the config
        c = new Caller(r.id(), p, plans.get(p.plan()));
        callersByProjectAndKey.put(r.id(), c);
        return c;
    }
}
