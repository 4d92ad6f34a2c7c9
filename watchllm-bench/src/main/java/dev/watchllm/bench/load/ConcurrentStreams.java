package dev.watchllm.bench.load;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds many streams open at once: starts {@code --streams} streamed requests (spread over
 * {@code --ramp-ms}), each on its own connection, and checks every one ended well (status 200,
 * {@code --expect-events} events if given, {@code [DONE]} last). Meant for a provider whose streams
 * last long ({@code TrivialProvider --interval-ms}).
 *
 * <pre>
 * java -cp benchmarks.jar dev.watchllm.bench.load.ConcurrentStreams --url URL [--header "Name: value"]...
 *      [--model M] [--streams 2000] [--ramp-ms 1000] [--expect-events N] [--timeout-s 120]
 * </pre>
 *
 * Prints one line per kind of problem, then
 * {@code RESULT <ok> <errors> <peak open streams> <duration p50 ms> <p99 ms> <max ms>}.
 */
public final class ConcurrentStreams {
    private ConcurrentStreams() {
    }

    /** What a run produced; {@code problems} counts bad streams by kind. */
    public record Result(int ok, int errors, int peakOpen, long p50Ms, long p99Ms, long maxMs, Map<String, Integer> problems) {
    }

    public static Result run(String url, java.util.List<String> headers, String model, int streams, long rampMs,
                             int expectEvents, long timeoutSeconds) throws Exception {
        try (StreamRequests s = new StreamRequests(url, headers, model, streams + 16)) {
            CountDownLatch ended = new CountDownLatch(streams);
            AtomicInteger open = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            AtomicInteger ok = new AtomicInteger();
            long[] durations = new long[streams];
            AtomicInteger durationCount = new AtomicInteger();
            Map<String, Integer> problems = new TreeMap<>();
            long start = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                long due = start + rampMs * 1_000_000L * i / streams;
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // pacing the load, not waiting for a result
                peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                s.send(timeoutSeconds * 1000, (problem, events, firstByte, total) -> {
                    open.decrementAndGet();
                    if (problem == null && expectEvents > 0 && events != expectEvents) {
                        problem = "expected " + expectEvents + " events";
                    }
                    if (problem == null) {
                        ok.incrementAndGet();
                        durations[durationCount.getAndIncrement()] = total / 1_000_000;
                    } else {
                        synchronized (problems) {
                            problems.merge(problem, 1, Integer::sum);
                        }
                    }
                    ended.countDown();
                });
            }
            if (!ended.await(timeoutSeconds + rampMs / 1000 + 10, TimeUnit.SECONDS)) {
                synchronized (problems) {
                    problems.merge("still open at the deadline", (int) ended.getCount(), Integer::sum);
                }
            }
            int n = durationCount.get();
            long[] d = Arrays.copyOf(durations, n);
            Arrays.sort(d);
            int errors;
            synchronized (problems) {
                errors = problems.values().stream().mapToInt(Integer::intValue).sum();
            }
            return new Result(ok.get(), errors, peak.get(), StreamRequests.percentile(d, n, 50),
                    StreamRequests.percentile(d, n, 99), n == 0 ? 0 : d[n - 1], problems);
        }
    }

    public static void main(String[] args) throws Exception {
        StreamRequests.Flags f = new StreamRequests.Flags(args, "Usage: ConcurrentStreams --url URL [--header 'Name: value']... "
                + "[--model M] [--streams N] [--ramp-ms N] [--expect-events N] [--timeout-s N]");
        Result r = run(f.require("url"), f.headers, f.get("model", "gpt-4o-mini"), Integer.parseInt(f.get("streams", "2000")),
                Long.parseLong(f.get("ramp-ms", "1000")), Integer.parseInt(f.get("expect-events", "0")),
                Long.parseLong(f.get("timeout-s", "120")));
        r.problems().forEach((k, v) -> System.out.println("PROBLEM " + v + " x " + k));
        System.out.println("RESULT " + r.ok() + " " + r.errors() + " " + r.peakOpen() + " " + r.p50Ms() + " " + r.p99Ms() + " " + r.maxMs());
        System.exit(0);
    }
}
