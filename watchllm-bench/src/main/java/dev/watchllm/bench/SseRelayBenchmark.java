package dev.watchllm.bench;

import dev.watchllm.bench.load.OpenAiBodies;
import dev.watchllm.openai.SseEventSplitter;
import dev.watchllm.openai.SseEvents;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-event work of relaying a stream, as the proxy does it for every upstream slice: cut the
 * slice into events ({@link SseEventSplitter}), then look at each ({@link SseEvents#isDone},
 * {@link SseEvents#isUsageOnly}). One invocation relays one whole stream (role chunk, 16 content
 * chunks, finish chunk, usage chunk, {@code [DONE]}: 20 events, a new splitter as per request);
 * scores are per event. {@code slicePerEvent}: the provider flushed each event on its own;
 * {@code coalesced}: all events arrived in one slice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SseRelayBenchmark {
    static final int EVENTS = 20;

    private ByteBuffer[] slices;
    private ByteBuffer whole;
    private final List<byte[]> events = new ArrayList<>(4);

    @Setup
    public void setUp() {
        byte[][] ev = new OpenAiBodies(16).events(true);
        if (ev.length != EVENTS) throw new IllegalStateException("expected " + EVENTS + " events, got " + ev.length);
        slices = new ByteBuffer[ev.length];
        int total = 0;
        for (int i = 0; i < ev.length; i++) {
            slices[i] = ByteBuffer.wrap(ev[i]);
            total += ev[i].length;
        }
        whole = ByteBuffer.allocate(total);
        for (byte[] e : ev) whole.put(e);
        whole.flip();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void slicePerEvent(Blackhole bh) {
        SseEventSplitter splitter = new SseEventSplitter();
        for (ByteBuffer s : slices) {
            relay(splitter, s.duplicate(), bh);
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void coalesced(Blackhole bh) {
        relay(new SseEventSplitter(), whole.duplicate(), bh);
    }

    private void relay(SseEventSplitter splitter, ByteBuffer slice, Blackhole bh) {
        events.clear();
        splitter.feed(slice, events::add);
        for (int i = 0; i < events.size(); i++) {
            byte[] e = events.get(i);
            bh.consume(SseEvents.isDone(e));
            bh.consume(SseEvents.isUsageOnly(e));
            bh.consume(e);
        }
    }
}
