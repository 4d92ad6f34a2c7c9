package dev.watchllm.redis;

import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-JVM load harness (not a test): throughput of the miss and hit paths with the local and the
 * Redis store, and how exactly a per-minute limit holds across 2 and 4 engines on one Redis.
 * Run from the project root:
 * <pre>
 * mvn -q -o -pl watchllm-redis -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "watchllm-redis/target/test-classes:watchllm-redis/target/classes:$(cat watchllm-redis/target/cp.txt)" dev.watchllm.redis.DistributedBench
 * </pre>
 * (with {@code -am}, the sibling modules resolve to their {@code target/classes}: nothing is installed).
 */
public final class DistributedBench {
    static final int THREADS = 16;

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        try (EmbeddedRedis redis = new EmbeddedRedis(); FakeProvider provider = new FakeProvider()) {
            provider.byDefault(FakeProvider.chat("a cached answer of modest length for the benchmark"));
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(THREADS)).build();
            for (String store : List.of("local", "redis")) {
                flush(redis);
                String key = ApiKeys.mint("test");
                try (Instance gw = new Instance(config(provider, key, store, redis.uri(), PlanConfig.MAX_PER_MINUTE), Clock.systemUTC())) {
                    run(http, gw, key, 500, true); // warm-up
                    double miss = run(http, gw, key, requests, true);
                    double hit = run(http, gw, key, requests, false);
                    System.out.printf("store=%-5s miss path: %8.0f req/s   hit path: %8.0f req/s   (%d requests, %d client threads)%n",
                            store, miss, hit, requests, THREADS);
                }
            }
            for (int engines : new int[] {2, 4}) {
                for (String store : List.of("local", "redis")) {
                    flush(redis);
                    String key = ApiKeys.mint("test");
                    TestClock clock = new TestClock("2026-03-10T12:00:00Z"); // no refill during the burst
                    List<Instance> gws = new ArrayList<>();
                    for (int i = 0; i < engines; i++) gws.add(new Instance(config(provider, key, store, redis.uri(), 100), clock));
                    int sent = 1000;
                    AtomicInteger ok = new AtomicInteger();
                    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                    List<Future<?>> fs = new ArrayList<>();
                    for (int i = 0; i < sent; i++) {
                        Instance gw = gws.get(i % engines);
                        int n = i;
                        fs.add(pool.submit(() -> {
                            if (send(http, gw, key, "limit " + n) == 200) ok.incrementAndGet();
                            return null;
                        }));
                    }
                    for (Future<?> f : fs) f.get();
                    pool.shutdown();
                    System.out.printf("limit 100/min, %d engines, store=%-5s: %d of %d concurrent requests admitted%n", engines, store, ok.get(), sent);
                    for (Instance gw : gws) gw.close();
                }
            }
            System.exit(0);
        }
    }

    static WatchLlmConfig.Builder config(FakeProvider provider, String key, String store, String uri, long rpm) {
        return WatchLlmConfig.builder()
                .upstream(UpstreamConfig.of("fake", provider.baseUrl(), "sk-provider", List.of("*")).withTimeout(Duration.ofSeconds(10)))
                .plan(new PlanConfig("bench", rpm, 1_000_000_000L, 0, 0))
                .project(ProjectConfig.of("p", "bench", List.of(new KeyEntry("k1", ApiKeys.sha256Hex(key)))))
                .store(store.equals("redis") ? new StoreConfig("redis", Path.of("unused"), uri, true) : StoreConfig.DEFAULT);
    }

    /** Requests per second for {@code n} requests from {@link #THREADS} threads; distinct prompts (misses) or one (hits). */
    static double run(HttpClient http, Instance gw, String key, int n, boolean miss) throws Exception {
        String salt = Long.toString(System.nanoTime());
        if (!miss && send(http, gw, key, "the hit") != 200) throw new IllegalStateException("warm-up failed");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    if (send(http, gw, key, miss ? salt + " " + i : "the hit") != 200) failed.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        long nanos = System.nanoTime() - t0;
        pool.shutdown();
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " requests failed");
        return n / (nanos / 1e9);
    }

    static int send(HttpClient http, Instance gw, String key, String prompt) throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static void flush(EmbeddedRedis redis) {
        RedisClient c = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            conn.sync().flushall();
        } finally {
            c.shutdown();
        }
    }
}
