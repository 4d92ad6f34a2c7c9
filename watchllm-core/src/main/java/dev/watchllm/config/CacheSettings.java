package dev.watchllm.config;

import java.time.Duration;
import java.util.Objects;

/** A project's response-cache settings. */
public record CacheSettings(boolean enabled, Duration ttl, boolean semanticEnabled, double semanticThreshold) {
    public static final CacheSettings DEFAULT = new CacheSettings(true, Duration.ofHours(24), false, 0.95);

    public CacheSettings {
        Objects.requireNonNull(ttl, "ttl");
        if (semanticThreshold <= 0 || semanticThreshold > 1) {
            throw new ConfigException("cache.semantic.threshold: must be in (0, 1]");
        }
    }
}
