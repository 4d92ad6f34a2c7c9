package dev.watchllm.config;

import java.util.List;
import java.util.Objects;

/**
 * A project: one plan, its keys, cache settings and an optional monthly budget in USD
 * ({@code budgetMonthlyUsd <= 0} means none). Keep Prod and Dev as separate projects.
 */
public record ProjectConfig(String id, String plan, List<KeyEntry> keys, CacheSettings cache, double budgetMonthlyUsd) {
    public ProjectConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(plan, "plan");
        keys = List.copyOf(keys);
        Objects.requireNonNull(cache, "cache");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new ConfigException("projects[].id: '" + id + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
    }

    public static ProjectConfig of(String id, String plan, List<KeyEntry> keys) {
        return new ProjectConfig(id, plan, keys, CacheSettings.DEFAULT, 0);
    }
}
