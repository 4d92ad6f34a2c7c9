package dev.watchllm.bench;

import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.Authenticator;
import dev.watchllm.auth.InMemoryKeyStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key authentication ({@link Authenticator#authenticate}) per request: a valid config key, a key
 * minted at run time (found in the key store), and a well-formed unknown key (the 401 path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuthBenchmark {
    private BenchProject project;
    private Authenticator auth;
    private String configKeyHeader;
    private String storedKeyHeader;
    private String unknownKeyHeader;

    @Setup
    public void setUp() {
        project = new BenchProject("http://127.0.0.1:9/v1", false);
        InMemoryKeyStore store = new InMemoryKeyStore();
        auth = new Authenticator(project.config, store);
        String stored = ApiKeys.mint("dev");
        store.add(new dev.watchllm.auth.ApiKeyRecord("minted-1", BenchProject.ID, ApiKeys.sha256Hex(stored), ApiKeys.mask(stored),
                java.time.Instant.now(), false));
        configKeyHeader = "Bearer " + project.key;
        storedKeyHeader = "Bearer " + stored;
        unknownKeyHeader = "Bearer " + ApiKeys.mint("bench");
        if (auth.authenticate(configKeyHeader).caller() == null || auth.authenticate(storedKeyHeader).caller() == null
                || auth.authenticate(unknownKeyHeader).error() == null) {
            throw new IllegalStateException("authentication does not behave as the benchmark assumes");
        }
    }

    @TearDown
    public void tearDown() {
        project.deleteStore();
    }

    @Benchmark
    public Authenticator.Result configKey() {
        return auth.authenticate(configKeyHeader);
    }

    @Benchmark
    public Authenticator.Result storedKey() {
        return auth.authenticate(storedKeyHeader);
    }

    @Benchmark
    public Authenticator.Result unknownKey() {
        return auth.authenticate(unknownKeyHeader);
    }
}
