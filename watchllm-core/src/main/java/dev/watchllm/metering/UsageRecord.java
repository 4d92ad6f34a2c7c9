package dev.watchllm.metering;

import java.time.Instant;

/**
 * One metered request, as written to the usage files and handed to every {@link UsageSink}.
 *
 * @param endpoint       the path below the prefix, e.g. {@code /chat/completions}
 * @param requestedModel the model the client asked for
 * @param model          the model the answer names (e.g. {@code gpt-4o-mini-2024-07-18}), else the requested one
 * @param provider       the upstream that answered, null when none did
 * @param cacheStatus    the {@code X-WatchLLM-Cache} value (MISS, HIT, HIT-COALESCED, HIT-SEMANTIC, BYPASS)
 * @param similarity     the similarity of a semantic hit, else NaN
 * @param inputTokens    prompt tokens (for a hit: of the cached answer)
 * @param estimated      the provider reported no usage; tokens were estimated from the text
 * @param unpriced       the model has no price: cost and potential cost are 0 but unknown, not free
 * @param costMicros     what the provider billed for this request, in micro-dollars (0 on a hit)
 * @param potentialCostMicros what it would have billed without the cache (for a hit: what the original answer cost)
 * @param status         the HTTP status the client got
 */
public record UsageRecord(Instant time, String requestId, String project, String keyId, String endpoint,
                          String requestedModel, String model, String provider, boolean stream, String cacheStatus,
                          double similarity, long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens,
                          boolean estimated, boolean unpriced, long costMicros, long potentialCostMicros, long latencyMs, int status) {

    /** True for an answer served by the cache (exact, coalesced or semantic). */
    public boolean hit() {
        return isHit(cacheStatus);
    }

    /** True for a semantic-cache hit. */
    public boolean semanticHit() {
        return "HIT-SEMANTIC".equals(cacheStatus);
    }

    /** What the cache saved on this request: potential minus actual cost. */
    public long savedMicros() {
        return potentialCostMicros - costMicros;
    }

    static boolean isHit(String cacheStatus) {
        return cacheStatus != null && cacheStatus.startsWith("HIT");
    }
}
