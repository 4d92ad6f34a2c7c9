package dev.watchllm.bench.load;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Time to the first streamed byte, one request at a time over one kept-alive connection: run it
 * against the provider directly and through a gateway, and the difference is what the gateway
 * adds before the user sees a token.
 *
 * <pre>
 * java -cp benchmarks.jar dev.watchllm.bench.load.FirstByteProbe --url URL [--header "Name: value"]...
 *      [--model gpt-4o-mini] [--requests 2000] [--warmup 500]
 * </pre>
 *
 * Prints {@code RESULT <first-byte p50 µs> <p99 µs> <whole stream p50 µs> <p99 µs> <errors>}.
 */
public final class FirstByteProbe {
    private FirstByteProbe() {
    }

    /** First-byte and whole-stream percentiles in microseconds, and the count of bad streams. */
    public record Result(long firstByteP50, long firstByteP99, long totalP50, long totalP99, int errors, String firstProblem) {
    }

    public static Result run(String url, java.util.List<String> headers, String model, int requests, int warmup) throws Exception {
        try (StreamRequests s = new StreamRequests(url, headers, model, 4)) {
            long[] first = new long[requests];
            long[] total = new long[requests];
            int n = 0;
            int errors = 0;
            String firstProblem = null;
            for (int i = 0; i < warmup + requests; i++) {
                CompletableFuture<Object[]> f = new CompletableFuture<>();
                s.send(30_000, (problem, events, firstByte, all) -> f.complete(new Object[] {problem, firstByte, all}));
                Object[] r = f.get();
                if (i < warmup) continue;
                if (r[0] != null) {
                    errors++;
                    if (firstProblem == null) firstProblem = (String) r[0];
                    continue;
                }
                first[n] = (Long) r[1] / 1000;
                total[n] = (Long) r[2] / 1000;
                n++;
            }
            Arrays.sort(first, 0, n);
            Arrays.sort(total, 0, n);
            return new Result(StreamRequests.percentile(first, n, 50), StreamRequests.percentile(first, n, 99),
                    StreamRequests.percentile(total, n, 50), StreamRequests.percentile(total, n, 99), errors, firstProblem);
        }
    }

    public static void main(String[] args) throws Exception {
        StreamRequests.Flags f = new StreamRequests.Flags(args,
                "Usage: FirstByteProbe --url URL [--header 'Name: value']... [--model M] [--requests N] [--warmup N]");
        Result r = run(f.require("url"), f.headers, f.get("model", "gpt-4o-mini"),
                Integer.parseInt(f.get("requests", "2000")), Integer.parseInt(f.get("warmup", "500")));
        if (r.firstProblem() != null) System.err.println("first bad stream: " + r.firstProblem());
        System.out.println("RESULT " + r.firstByteP50() + " " + r.firstByteP99() + " " + r.totalP50() + " " + r.totalP99() + " " + r.errors());
    }
}
