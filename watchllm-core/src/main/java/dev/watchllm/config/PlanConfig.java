package dev.watchllm.config;

import java.util.Map;
import java.util.Objects;

/**
 * A plan's limits. A value of 0 means "no limit" for the optional ones
 * ({@code tokensPerMinute}, {@code concurrentRequests}).
 */
public record PlanConfig(String name, long requestsPerMinute, long requestsPerMonth, long tokensPerMinute, int concurrentRequests) {

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
        if (concurrentRequests < 0) throw new ConfigException("plans." + name + ".concurrentRequests: must not be negative");
    }
}
