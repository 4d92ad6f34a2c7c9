package dev.watchllm.bench;

import dev.watchllm.bench.load.OpenAiBodies;
import dev.watchllm.cache.SseReplayer;
import dev.watchllm.cache.StreamAssembler;
import dev.watchllm.openai.Endpoint;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cache's conversions between modes, per event. {@code replay}: a cached plain answer served
 * to a streamed request ({@link SseReplayer}): an answer of about 3.9 KB of text becomes 20
 * events (role chunk, 16 content chunks of at most 256 characters, finish chunk, usage chunk,
 * {@code [DONE]}). {@code assemble}: a cached stream of 20 events served to a plain request
 * ({@link StreamAssembler}). One invocation converts one whole answer; scores are per event.
 * The engine converts an entry at most once while it stays in the heap tier (the result is kept
 * on the entry), so these costs are paid by the first cross-mode hit, not by every one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseReplayBenchmark {
    static final int EVENTS = 20;

    private byte[] plainAnswer;
    private List<byte[]> streamedAnswer;

    @Setup
    public void setUp() {
        plainAnswer = new OpenAiBodies(500).completion();
        streamedAnswer = Arrays.asList(new OpenAiBodies(16).events(true));
        List<byte[]> replayed = replay();
        if (replayed == null || replayed.size() != EVENTS || streamedAnswer.size() != EVENTS || assemble() == null) {
            throw new IllegalStateException("expected " + EVENTS + " events each way; replay gave "
                    + (replayed == null ? "none" : replayed.size()) + ", the stream has " + streamedAnswer.size());
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public List<byte[]> replay() {
        return SseReplayer.replay(Endpoint.CHAT_COMPLETIONS, plainAnswer);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public byte[] assemble() {
        return StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS, streamedAnswer);
    }
}
