package dev.watchllm.http;

/** Header names of the HTTP contract. */
public final class WatchLlmHeaders {
    private WatchLlmHeaders() {
    }

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String CACHE = "X-WatchLLM-Cache";
    public static final String CACHE_AGE = "X-WatchLLM-Cache-Age";
    public static final String CACHE_SIMILARITY = "X-WatchLLM-Cache-Similarity";
    public static final String CACHE_TTL = "X-WatchLLM-Cache-TTL";
    public static final String COST_USD = "X-WatchLLM-Cost-USD";
    public static final String SAVED_USD = "X-WatchLLM-Saved-USD";
    public static final String PROVIDER = "X-WatchLLM-Provider";
    public static final String LATENCY_MS = "X-WatchLLM-Latency-Ms";
    public static final String SHOULD_RETRY = "x-should-retry";
    public static final String RETRY_AFTER = "retry-after";
    public static final String RETRY_AFTER_MS = "retry-after-ms";

    /** Every response header a browser client may read (CORS {@code Access-Control-Expose-Headers}). */
    public static final String EXPOSED = String.join(", ", REQUEST_ID, CACHE, CACHE_AGE, CACHE_SIMILARITY, COST_USD,
            SAVED_USD, PROVIDER, LATENCY_MS, SHOULD_RETRY, RETRY_AFTER, RETRY_AFTER_MS,
            "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
            "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens");
}
