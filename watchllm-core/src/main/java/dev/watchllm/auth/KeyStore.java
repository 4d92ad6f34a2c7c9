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

    @Override
    default void close() {
    }
}
