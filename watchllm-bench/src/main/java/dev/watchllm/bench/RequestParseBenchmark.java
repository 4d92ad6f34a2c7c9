package dev.watchllm.bench;

import dev.watchllm.cache.CacheKey;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a request: parse and validate the body ({@link RequestParser}), and parse plus the
 * exact cache's key ({@link CacheKey}: SHA-256 over project, endpoint and the canonical form of
 * the body, as hex), for a 1 KB and a 32 KB prompt.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestParseBenchmark {
    @Param({"1024", "32768"})
    int promptBytes;

    private byte[] body;

    @Setup
    public void setUp() {
        body = ChatBodies.chat("gpt-4o-mini", promptBytes, false);
        if (RequestParser.parse(Endpoint.CHAT_COMPLETIONS, body).error() != null) {
            throw new IllegalStateException("the benchmark's request body is invalid");
        }
    }

    @Benchmark
    public ParsedRequest parse() {
        return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, body).request();
    }

    @Benchmark
    public String parseAndCacheKey() {
        ParsedRequest r = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, body).request();
        return CacheKey.of(BenchProject.ID, r.endpoint(), r.body());
    }
}
