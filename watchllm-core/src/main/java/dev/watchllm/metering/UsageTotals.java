package dev.watchllm.metering;

/**
 * A project's usage over one period (a month or a day). Tokens count what the providers billed:
 * cache hits add requests and savings, not tokens.
 */
public record UsageTotals(long requests, long cacheHits, long semanticHits, long inputTokens, long cachedInputTokens,
                          long outputTokens, long reasoningTokens, long costMicros, long potentialCostMicros,
                          long unpricedRequests, long estimatedRequests) {
    public static final UsageTotals EMPTY = new UsageTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** What the cache saved: what the providers would have billed minus what they did. */
    public long savingsMicros() {
        return potentialCostMicros - costMicros;
    }

    /** Hits (all kinds) per request; 0 with no requests. */
    public double cacheHitRate() {
        return requests == 0 ? 0 : (double) cacheHits / requests;
    }

    /** These totals with {@code r} added. */
    public UsageTotals plus(UsageRecord r) {
        boolean hit = r.hit();
        return new UsageTotals(requests + 1, cacheHits + (hit ? 1 : 0), semanticHits + (r.semanticHit() ? 1 : 0),
                inputTokens + (hit ? 0 : r.inputTokens()), cachedInputTokens + (hit ? 0 : r.cachedInputTokens()),
                outputTokens + (hit ? 0 : r.outputTokens()), reasoningTokens + (hit ? 0 : r.reasoningTokens()),
                costMicros + r.costMicros(), potentialCostMicros + r.potentialCostMicros(),
                unpricedRequests + (r.unpriced() ? 1 : 0), estimatedRequests + (r.estimated() ? 1 : 0));
    }

    /** Both totals added. */
    public UsageTotals plus(UsageTotals o) {
        return new UsageTotals(requests + o.requests, cacheHits + o.cacheHits, semanticHits + o.semanticHits,
                inputTokens + o.inputTokens, cachedInputTokens + o.cachedInputTokens, outputTokens + o.outputTokens,
                reasoningTokens + o.reasoningTokens, costMicros + o.costMicros, potentialCostMicros + o.potentialCostMicros,
                unpricedRequests + o.unpricedRequests, estimatedRequests + o.estimatedRequests);
    }
}
