package dev.watchllm.limit;

import io.github.bucket4j.ConsumptionProbe;

/**
 * One per-minute limit of one project (requests or tokens), as a {@link RateLimitStore} keeps it:
 * the part of Bucket4j's {@code Bucket} the limiter uses, so a local bucket and a distributed one
 * (a Bucket4j proxy on Redis) look the same to it.
 */
public interface RateBucket {
    /** Takes {@code n} tokens if available; the probe says how many remain or how long to wait. */
    ConsumptionProbe tryConsumeAndReturnRemaining(long n);

    /** Gives back tokens taken by a request that was not admitted after all. */
    void addTokens(long n);

    /** Takes {@code n} tokens even into debt (real usage learned after the call). */
    void consumeIgnoringRateLimits(long n);

    /** Tokens available now (negative: debt). */
    long getAvailableTokens();

    /** Nanoseconds until {@code n} tokens are available (0: now). */
    long nanosToWaitFor(long n);

    /**
     * Tokens available now, for the {@code x-ratelimit-remaining-*} headers only, never to admit:
     * a bucket in this JVM answers exactly ({@link #getAvailableTokens()}); a shared bucket may
     * answer from what it learned in its last exchange with its store (at most a second ago)
     * instead of asking it again.
     */
    default long availableTokensForHeaders() {
        return getAvailableTokens();
    }
}
