package dev.watchllm.config;

import java.util.List;
import java.util.Objects;

/**
 * The admin API and dashboard: where they live and who may use them. The dashboard is served at
 * {@code <prefix>/}, the API below {@code <prefix>/api}. With no admin key both are off: the engine
 * does not claim the prefix, so the host's own chain serves it.
 *
 * @param prefix the base path, default {@code /watchllm} (so the API is at {@code /watchllm/api})
 * @param keys   admin keys as {@code {id, sha256}}; a namespace of their own, apart from project keys
 */
public record AdminConfig(String prefix, List<KeyEntry> keys) {
    public static final String DEFAULT_PREFIX = "/watchllm";
    public static final AdminConfig NONE = new AdminConfig(DEFAULT_PREFIX, List.of());

    public AdminConfig {
        Objects.requireNonNull(prefix, "admin.prefix");
        keys = List.copyOf(keys);
        if (!prefix.startsWith("/") || prefix.length() < 2 || prefix.endsWith("/") || prefix.contains("//")
                || prefix.indexOf(' ') >= 0) {
            throw new ConfigException("admin.prefix: '" + prefix + "' must start with '/', not end with '/' (e.g. /watchllm)");
        }
    }

    /** True when at least one admin key is configured. */
    public boolean enabled() {
        return !keys.isEmpty();
    }

    /** Where the API lives: {@code <prefix>/api}. */
    public String apiPrefix() {
        return prefix + "/api";
    }
}
