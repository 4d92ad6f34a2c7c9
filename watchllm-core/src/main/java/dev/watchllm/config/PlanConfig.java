package dev.watchllm.config;

import java.util.Map;
import java.util.Objects;

/**
 * A plan's limits. A value of 0 means "no limit" for the optional ones
 * ({@code tokensPerMinute}, {@code concurrentRequests}).
 */
public record PlanConfig(String name, long requestsPerMinute, long requestsPerMonth, long tokensPerMinute, int concurrentRequests) {
    /** The most a per-minute limit can be: the rate limiter refills at most one unit a nanosecond. */
    public static final long MAX_PER_MINUTE = 60_000_000_000L;

    /** Built-in plans; config entries with the same name override them. */
    public static final Map<String, PlanConfig> BUILT_IN = Map.of(
            "free", new PlanConfig("free", 10, 50_000, 0, 0),
            "starter", new PlanConfig("starter", 50, 250_000, 0, 0),
            "pro", new PlanConfig("pro", 200, 1_000_000, 0, 0));

    public PlanConfig {
        Objects.requireNonNull(name, "name");
        if (requestsPerMinute <= 0) throw new ConfigException("plans." + name + ".requestsPerMinute: must be greater than zero");
        if (requestsPerMonth <= 0) throw new ConfigException("plans." + name + ".requestsPerMonth: must be greater than zero");
        if (tokensPerMinute < 0) throw new ConfigException("plans." + name + ".tokensPerMinute: must not be negative");
        if (requestsPerMinute > MAX_PER_MINUTE) throw new ConfigException("plans." + name + ".requestsPerMinute: must be at most " + MAX_PER_MINUTE);
        if (tokensPerMinute > MAX_PER_MINUTE) {
            throw new ConfigException("plans." + name + ".tokensPerMinute: must be at most " + MAX_PER_MINUTE + " (leave it out for no limit)");
        }
        if (concurrentRequests < 0) throw new ConfigException("plans." + name + ".concurrentRequests: must not be negative");
    }
}
