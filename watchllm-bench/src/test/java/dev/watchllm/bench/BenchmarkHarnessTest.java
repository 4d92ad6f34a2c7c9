package dev.watchllm.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A seconds-long smoke run of every JMH benchmark (in process, one short iteration each, with the
 * GC profiler): each one's set-up checks hold, it produces a score and a bytes-per-operation figure.
 * Real runs use the shaded jar: {@code java -jar watchllm-bench/target/benchmarks.jar -prof gc}.
 */
class BenchmarkHarnessTest {
    @Test
    void everyBenchmarkRunsAndReportsAllocation() throws Exception {
        // a benchmark run on the same machine holds JMH's lock; this smoke test needs no exclusive machine
        System.setProperty("jmh.ignoreLock", "true");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("dev\\.watchllm\\.bench\\..*Benchmark")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .build()).run();
        Set<String> classes = new TreeSet<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            classes.add(name.substring(0, name.lastIndexOf('.')));
            double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), name + " scored " + score);
            assertTrue(r.getSecondaryResults().containsKey("gc.alloc.rate.norm"), name + " has no bytes/op from -prof gc");
        }
        // a new benchmark class is picked up by the include pattern above; these must all be there
        assertTrue(classes.containsAll(Set.of(
                "dev.watchllm.bench.AuthBenchmark",
                "dev.watchllm.bench.EngineBenchmark",
                "dev.watchllm.bench.ExactCacheBenchmark",
                "dev.watchllm.bench.PlanLimiterBenchmark",
                "dev.watchllm.bench.RequestParseBenchmark",
                "dev.watchllm.bench.SseRelayBenchmark",
                "dev.watchllm.bench.SseReplayBenchmark",
                "dev.watchllm.bench.UsageSettleBenchmark")), classes.toString());
    }
}
