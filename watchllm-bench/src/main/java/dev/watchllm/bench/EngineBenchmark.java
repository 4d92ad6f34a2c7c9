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
 * response headers). The project's cache is off: this is the miss path. {@code plain}: a chat
 * completion; {@code stream}: the same answer as 20 SSE events relayed one by one.
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
    }

    @Benchmark
    public InProcessExchange plain() {
        InProcessExchange ex = new InProcessExchange("/v1/chat/completions", authorization, plainBody);
        engine.handle(ex);
        return ex;
    }

    @Benchmark
    public InProcessExchange stream() {
        InProcessExchange ex = new InProcessExchange("/v1/chat/completions", authorization, streamBody);
        engine.handle(ex);
        return ex;
    }
}
