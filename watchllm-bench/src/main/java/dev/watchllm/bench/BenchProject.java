package dev.watchllm.bench;

import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one project the benchmarks serve: {@code bench}, on a plan no benchmark can exhaust, with a
 * freshly minted key, routed to one upstream for every model. The response cache is on or off as
 * asked: off measures the miss path (every request reaches the upstream). Whatever the engine
 * stores goes to a temporary {@code store.dir}, deleted by {@link #deleteStore()}.
 */
public final class BenchProject {
    public static final String ID = "bench";
    /** Limits far above any rate a benchmark reaches, so limits never turn a run into 429s. */
    public static final PlanConfig PLAN = new PlanConfig("bench", 1_000_000_000L, 1_000_000_000_000L, 0, 0);

    /** The key clients present ({@code Authorization: Bearer <key>}). */
    public final String key = ApiKeys.mint("bench");
    public final WatchLlmConfig config;
    public final Path storeDir;

    public BenchProject(String upstreamBaseUrl, boolean cacheEnabled) {
        try {
            storeDir = Files.createTempDirectory("watchllm-bench-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CacheSettings cache = new CacheSettings(cacheEnabled, Duration.ofHours(24), false, 0.95);
        config = WatchLlmConfig.builder()
                .upstream(UpstreamConfig.of("bench-upstream", upstreamBaseUrl, null, List.of("*")))
                .plan(PLAN)
                .project(new ProjectConfig(ID, PLAN.name(), List.of(new KeyEntry("bench-1", ApiKeys.sha256Hex(key))), cache, 0))
                .store(new StoreConfig("local", storeDir, null))
                .build();
    }

    /** Deletes the temporary store directory and everything in it. */
    public void deleteStore() {
        try (Stream<Path> files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
