package dev.watchllm.auth;

import java.util.List;

/**
 * Where key hashes live. {@link #findByHash} runs on every request: implementations answer it from
 * memory. Keys from the config file are loaded into the store at start-up.
 */
public interface KeyStore extends AutoCloseable {
    /** The record whose SHA-256 hex equals {@code sha256Hex}, or null. */
    ApiKeyRecord findByHash(String sha256Hex);

    /** Adds a key (minted at run time); persisted by stores that persist. */
    void add(ApiKeyRecord record);

    /** Marks a key revoked; returns false when no such key exists. */
    boolean revoke(String keyId);

    List<ApiKeyRecord> list(String projectId);

    // ---- revocation of config keys and last use (the admin API) ----

    /**
     * Puts {@code keyId} on the store's revocation list: for keys declared in the config file, which
     * the store does not hold. Persisted by stores that persist, so the key stays revoked across restarts.
     */
    default void revokeDeclared(String keyId) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no revocation list");
    }

    /** True when {@code keyId} is on the revocation list or is a revoked stored key. Answered from memory. */
    default boolean isRevoked(String keyId) {
        ApiKeyRecord r = findById(keyId);
        return r != null && r.revoked();
    }

    /** The stored key with this id, or null. */
    default ApiKeyRecord findById(String keyId) {
        return null;
    }

    /**
     * Notes that {@code keyId} authenticated a request at {@code epochMillis}. Runs on every request:
     * implementations keep it in memory, update it at most once a second per key, and persist it
     * lazily ({@link #flush}).
     */
    default void used(String keyId, long epochMillis) {
    }

    /** When {@code keyId} last authenticated a request (to the second), or null when never (or not tracked). */
    default java.time.Instant lastUsed(String keyId) {
        return null;
    }

    /** Writes what is kept lazily (last use); called now and then from a background thread and on close. */
    default void flush() {
    }

    // ---- end of admin ----

    @Override
    default void close() {
    }
}
