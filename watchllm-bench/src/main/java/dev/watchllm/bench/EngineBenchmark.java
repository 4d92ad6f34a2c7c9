package dev.watchllm.bench;

import dev.watchllm.WatchLlm;
import dev.watchllm.auth.InMemoryKeyStore;
import dev.watchllm.bench.load.OpenAiBodies;
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
 * The whole engine per request, in process: {@link WatchLlm#handle} with an {@link InProcessExchange}
 * and an {@link InProcessUpstream}, so everything measured is the engine's own work (request id,
 * CORS, routing, authentication, body read, parse and validation, upstream request, relay,
 * response headers). {@code plain} and {@code stream}: the miss path (the project's cache is off),
 * a chat completion, and the same answer as 20 SSE events relayed one by one. {@code hit}: the
 * same plain request answered from the exact cache of a second engine (cache on, entry warm):
 * authentication, parse, key, lookup, headers, metering, what a cache hit costs the engine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EngineBenchmark {
    @Param({"1024"})
    int promptBytes;

    private BenchProject project;
    private WatchLlm engine;
    private BenchProject cachedProject;
    private WatchLlm cachedEngine;
    private String cachedAuthorization;
    private String authorization;
    private byte[] plainBody;
    private byte[] streamBody;

    @Setup
    public void setUp() {
        project = new BenchProject("http://in-process/v1", false);
        engine = WatchLlm.builder().config(project.config).keyStore(new InMemoryKeyStore())
                .upstream(new InProcessUpstream(new OpenAiBodies(16))).build();
        authorization = "Bearer " + project.key;
        plainBody = ChatBodies.chat("gpt-4o-mini", promptBytes, false);
        streamBody = ChatBodies.chat("gpt-4o-mini", promptBytes, true);
        cachedProject = new BenchProject("http://in-process/v1", true);
        cachedEngine = WatchLlm.builder().config(cachedProject.config).keyStore(new InMemoryKeyStore())
                .upstream(new InProcessUpstream(new OpenAiBodies(16))).build();
        cachedAuthorization = "Bearer " + cachedProject.key;
        InProcessExchange first = new InProcessExchange("/v1/chat/completions", cachedAuthorization, plainBody);
        cachedEngine.handle(first);
        InProcessExchange hit = hit();
        if (first.status != 200 || hit.status != 200 || !"HIT".equals(hit.cacheStatus)) {
            throw new IllegalStateException("the second request was not a cache hit: " + hit.status + " " + hit.cacheStatus);
        }
        InProcessExchange plain = plain();
        InProcessExchange stream = stream();
        if (plain.status != 200 || !plain.ended || stream.status != 200 || !stream.ended) {
            throw new IllegalStateException("the engine did not answer 200 in process: plain " + plain.status + ", stream " + stream.status);
        }
    }

    @TearDown
    public void tearDown() {
        engine.close();
        project.deleteStore();
        cachedEngine.close();
        cachedProject.deleteStore();
    }

    @Benchmark
    public InProcessExchange plain() {
        InProcessExchange ex = new InProcessExchange("/v1/chat/completions", authorization, plainBody);
        engine.handle(ex);
        return ex;
    }

    @Benchmark
    public InProcessExchange hit() {
        InProcessExchange ex = new InProcessExchange("/v1/chat/completions", cachedAuthorization, plainBody);
        cachedEngine.handle(ex);
        return ex;
    }

    @Benchmark
    public InProcessExchange stream() {
        InProcessExchange ex = new InProcessExchange("/v1/chat/completions", authorization, streamBody);
        engine.handle(ex);
        return ex;
    }
}
