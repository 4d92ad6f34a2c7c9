package dev.watchllm.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A project's response-cache settings. {@code semanticEmbedder} is {@code local} (the ONNX model of
 * the {@code watchllm-semantic} module) or {@code upstream} (the provider's {@code /v1/embeddings}).
 */
public record CacheSettings(boolean enabled, Duration ttl, boolean semanticEnabled, double semanticThreshold, String semanticEmbedder) {
    public static final CacheSettings DEFAULT = new CacheSettings(true, Duration.ofHours(24), false, 0.80, "local");

    public CacheSettings {
        Objects.requireNonNull(ttl, "ttl");
        if (semanticThreshold <= 0 || semanticThreshold > 1) {
            throw new ConfigException("cache.semantic.threshold: must be in (0, 1]");
        }
        if (!"local".equals(semanticEmbedder) && !"upstream".equals(semanticEmbedder)) {
            throw new ConfigException("cache.semantic.embedder: must be 'local' or 'upstream'");
        }
    }

    public CacheSettings(boolean enabled, Duration ttl, boolean semanticEnabled, double semanticThreshold) {
        this(enabled, ttl, semanticEnabled, semanticThreshold, "local");
    }
}
