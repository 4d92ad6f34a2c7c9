package dev.watchllm.bench;

import dev.watchllm.auth.Caller;
import dev.watchllm.bench.load.OpenAiBodies;
import dev.watchllm.internal.CallResult;
import dev.watchllm.metering.InMemoryUsageLedger;
import dev.watchllm.metering.Pricing;
import dev.watchllm.metering.UsageMeter;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
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
 * Metering one answered call ({@link UsageMeter#meter}, the settle step): read the usage from
 * the answer, price it with the built-in price list, build the usage record, add it to the
 * ledger (in memory: the engine's {@code LocalUsageLedger} adds the same way and writes to disk
 * only every 30 s) and queue it for the sinks (none here; the usage thread drains the queue).
 * {@code plain}: a chat completion's body; {@code stream}: the same answer's 20 SSE events, the
 * usage chunk among them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UsageSettleBenchmark {
    private BenchProject project;
    private UsageMeter meter;
    private CallResult plain;
    private CallResult stream;

    @Setup
    public void setUp() {
        project = new BenchProject("http://127.0.0.1:9/v1", false);
        meter = new UsageMeter(Pricing.builtIn(), new InMemoryUsageLedger(), List.of(), Clock.systemUTC());
        Caller caller = new Caller("bench-1", project.config.projects().get(0), BenchProject.PLAN);
        OpenAiBodies bodies = new OpenAiBodies(16);
        ParsedRequest plainReq = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, ChatBodies.chat("gpt-4o-mini", 1024, false)).request();
        ParsedRequest streamReq = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, ChatBodies.chat("gpt-4o-mini", 1024, true)).request();
        plain = new CallResult("req-plain", caller, plainReq, "bench-upstream", 200, bodies.completion(), null, true, "BYPASS",
                Double.NaN, 1_000_000);
        stream = new CallResult("req-stream", caller, streamReq, "bench-upstream", 200, null, Arrays.asList(bodies.events(true)), true,
                "BYPASS", Double.NaN, 1_000_000);
        for (CallResult r : List.of(plain, stream)) {
            UsageRecord rec = meter.meter(r);
            // the answers report 12 prompt and 16 completion tokens; gpt-4o-mini has a price
            if (rec.inputTokens() != 12 || rec.outputTokens() != 16 || rec.estimated() || rec.unpriced() || rec.costMicros() <= 0) {
                throw new IllegalStateException("the meter did not read the answer's usage: " + rec);
            }
        }
    }

    @TearDown
    public void tearDown() {
        meter.close();
        project.deleteStore();
    }

    @Benchmark
    public UsageRecord plain() {
        return meter.meter(plain);
    }

    @Benchmark
    public UsageRecord stream() {
        return meter.meter(stream);
    }
}
