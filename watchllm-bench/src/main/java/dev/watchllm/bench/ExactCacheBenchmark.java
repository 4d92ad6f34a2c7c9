package dev.watchllm.bench;

import dev.watchllm.bench.load.OpenAiBodies;
import dev.watchllm.cache.CachedAnswer;
import dev.watchllm.cache.ExactCache;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The exact cache's hit, as the engine does it for a parsed request: the key
 * ({@link ExactCache#key}: SHA-256 over the canonical body) and the lookup of a warm entry
 * ({@link ExactCache#lookup}: Ehcache's heap tier, project and expiry checks). The store is the
 * engine's own ({@link ExactCache#open}: heap, off-heap and disk tiers under a temporary
 * {@code store.dir}). {@code keyAndLookup} is the whole hit decision; {@code lookup} the store
 * alone, with the key already computed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ExactCacheBenchmark {
    @Param({"1024", "32768"})
    int promptBytes;

    private BenchProject project;
    private ExactCache cache;
    private ParsedRequest request;
    private String key;

    @Setup
    public void setUp() {
        project = new BenchProject("http://127.0.0.1:9/v1", true);
        cache = ExactCache.open(project.config, Clock.systemUTC());
        request = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, ChatBodies.chat("gpt-4o-mini", promptBytes, false)).request();
        key = cache.key(BenchProject.ID, request);
        CachedAnswer answer = cache.answerOf(BenchProject.ID, Endpoint.CHAT_COMPLETIONS, "bench-upstream", 200,
                new OpenAiBodies(16).completion(), null, true, -1, TimeUnit.HOURS.toMillis(24));
        // the first read faults the entry from the authoritative (disk) tier into the heap tier: warm from then on
        if (answer == null || !cache.store(key, answer) || !answer.equals(keyAndLookup()) || lookup() != lookup()) {
            throw new IllegalStateException("the warm entry is not found in the heap tier: the benchmark would measure something else");
        }
    }

    @TearDown
    public void tearDown() {
        cache.close();
        project.deleteStore();
    }

    @Benchmark
    public CachedAnswer keyAndLookup() {
        return cache.lookup(cache.key(BenchProject.ID, request), BenchProject.ID, -1);
    }

    @Benchmark
    public CachedAnswer lookup() {
        return cache.lookup(key, BenchProject.ID, -1);
    }
}
