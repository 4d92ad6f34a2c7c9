package dev.watchllm.bench;

import dev.watchllm.auth.Caller;
import dev.watchllm.bench.load.OpenAiBodies;
import dev.watchllm.config.CacheSettings;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.UpstreamConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.internal.CallResult;
import dev.watchllm.limit.Admission;
import dev.watchllm.limit.PlanLimiter;
import dev.watchllm.limit.PricedBudget;
import dev.watchllm.metering.Pricing;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
 * The limiter per request, uncontended (one thread): {@link PlanLimiter#admit} (the check, with
 * its {@code x-ratelimit-*} headers) and {@link PlanLimiter#accept} (the settle: real usage to the
 * token bucket, real cost to the budget, the slot freed). {@code plan=requests}: the minimum every
 * project has, {@code requestsPerMinute} and {@code requestsPerMonth}; {@code plan=all}: also
 * {@code tokensPerMinute}, {@code concurrentRequests} and a {@code budget.monthlyUsd}, which
 * reserves the worst-case cost at admission. Limits are far above what a run reaches, so every
 * request is admitted. {@code admitAndSettle} settles a 200 answer with usage (read from the
 * answer's JSON); {@code admitAndRelease} settles a provider error (nothing to read, nothing
 * charged: the slot and the reservation are given back), so it is the check plus the least
 * bookkeeping a settle does. {@code admitRequestsPlan} is the check alone, for the requests plan
 * (with the other limits an admitted request holds a slot and a reservation until it is settled,
 * so it cannot be repeated without a settle).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PlanLimiterBenchmark {
    /** A limiter for the bench project on the plan asked for, and one request to admit and settle. */
    static class Fixture {
        BenchProject project;
        PlanLimiter limiter;
        Caller caller;
        ParsedRequest request;
        CallResult settled;
        CallResult failed;
        InProcessExchange exchange;

        void open(boolean allLimits) {
            project = new BenchProject("http://127.0.0.1:9/v1", false);
            PlanConfig p = allLimits
                    ? new PlanConfig("bench-all", 1_000_000_000L, 1_000_000_000_000L, PlanConfig.MAX_PER_MINUTE, 1_000)
                    : BenchProject.PLAN;
            ProjectConfig pc = new ProjectConfig(BenchProject.ID, p.name(), project.config.projects().get(0).keys(),
                    new CacheSettings(false, Duration.ofHours(24), false, 0.95), allLimits ? 1_000_000_000d : 0);
            WatchLlmConfig config = WatchLlmConfig.builder()
                    .upstream(UpstreamConfig.of("bench-upstream", "http://127.0.0.1:9/v1", null, List.of("*")))
                    .plan(p)
                    .project(pc)
                    .store(new StoreConfig("local", project.storeDir, null))
                    .build();
            limiter = new PlanLimiter(config, Clock.systemUTC(), new PricedBudget(Pricing.builtIn()), null);
            caller = new Caller("bench-1", pc, p);
            request = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, ChatBodies.chat("gpt-4o-mini", 1024, false)).request();
            settled = new CallResult("req-bench", caller, request, "bench-upstream", 200, new OpenAiBodies(16).completion(), null, true,
                    "BYPASS", Double.NaN, 1_000_000);
            failed = new CallResult("req-bench", caller, request, "bench-upstream", 400, null, null, false, "BYPASS", Double.NaN,
                    1_000_000);
            exchange = new InProcessExchange("/v1/chat/completions", null, new byte[0]);
            long spentBefore = limiter.state(BenchProject.ID).spentMicros();
            boolean admitted = limiter.admit(caller, request, exchange).admitted();
            limiter.accept(settled);
            if (!admitted || limiter.state(BenchProject.ID).inFlight() != 0
                    || (allLimits && limiter.state(BenchProject.ID).spentMicros() <= spentBefore)) {
                throw new IllegalStateException("the limiter did not admit and settle the benchmark's request");
            }
        }

        void close() {
            limiter.close();
            project.deleteStore();
        }
    }

    @State(Scope.Thread)
    public static class AnyPlan extends Fixture {
        @Param({"requests", "all"})
        String plan;

        @Setup
        public void setUp() {
            open("all".equals(plan));
        }

        @TearDown
        public void tearDown() {
            close();
        }
    }

    @State(Scope.Thread)
    public static class RequestsPlan extends Fixture {
        @Setup
        public void setUp() {
            open(false);
        }

        @TearDown
        public void tearDown() {
            close();
        }
    }

    @Benchmark
    public boolean admitAndSettle(AnyPlan f) {
        Admission a = f.limiter.admit(f.caller, f.request, f.exchange);
        f.limiter.accept(f.settled);
        return a.admitted();
    }

    @Benchmark
    public boolean admitAndRelease(AnyPlan f) {
        Admission a = f.limiter.admit(f.caller, f.request, f.exchange);
        f.limiter.accept(f.failed);
        return a.admitted();
    }

    @Benchmark
    public boolean admitRequestsPlan(RequestsPlan f) {
        return f.limiter.admit(f.caller, f.request, f.exchange).admitted();
    }
}
