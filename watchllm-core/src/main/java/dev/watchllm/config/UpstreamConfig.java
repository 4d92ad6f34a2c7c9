package dev.watchllm.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One provider the gateway forwards to. {@code apiKey} comes from the environment only; when the
 * variable named in the config was not set, {@code missingEnv} names it and requests routed here
 * get 502 {@code upstream_unavailable} saying so.
 */
public record UpstreamConfig(
        String name,
        String baseUrl,
        String apiKey,
        String missingEnv,
        List<String> models,
        Duration timeout,
        List<String> fallbacks,
        int maxRetries,
        Duration retryBackoff,
        Duration maxRetryAfter) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RETRIES = 2;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(10);

    public UpstreamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        models = List.copyOf(models);
        fallbacks = List.copyOf(fallbacks);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxRetries < 0 || maxRetries > 10) {
            throw new ConfigException("upstream '" + name + "'.maxRetries: must be between 0 and 10");
        }
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
    }

    /** An upstream with the defaults for timeout, retries and no fallbacks. */
    public static UpstreamConfig of(String name, String baseUrl, String apiKey, List<String> models) {
        return new UpstreamConfig(name, baseUrl, apiKey, null, models, DEFAULT_TIMEOUT, List.of(),
                DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BACKOFF, DEFAULT_MAX_RETRY_AFTER);
    }

    public UpstreamConfig withTimeout(Duration t) {
        return new UpstreamConfig(name, baseUrl, apiKey, missingEnv, models, t, fallbacks, maxRetries, retryBackoff, maxRetryAfter);
    }

    public UpstreamConfig withFallbacks(List<String> f) {
        return new UpstreamConfig(name, baseUrl, apiKey, missingEnv, models, timeout, f, maxRetries, retryBackoff, maxRetryAfter);
    }

    public UpstreamConfig withRetries(int retries, Duration backoff) {
        return new UpstreamConfig(name, baseUrl, apiKey, missingEnv, models, timeout, fallbacks, retries, backoff, maxRetryAfter);
    }

    @Override
    public String toString() {
        return "UpstreamConfig[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<set>")
                + ", models=" + models + ", timeout=" + Durations.format(timeout) + ", fallbacks=" + fallbacks + "]";
    }
}
