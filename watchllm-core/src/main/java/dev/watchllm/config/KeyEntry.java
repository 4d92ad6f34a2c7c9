package dev.watchllm.config;

import java.util.Locale;
import java.util.Objects;

/** A project key as written in config: its id and the SHA-256 (hex) of the key. Never the key itself. */
public record KeyEntry(String id, String sha256) {
    public KeyEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sha256, "sha256");
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new ConfigException("key '" + id + "'.sha256: must be 64 hex characters (the SHA-256 of the key, never the key)");
        }
    }
}
