package dev.watchllm.limit;

import dev.watchllm.openai.OpenAiError;
import java.math.BigDecimal;

/**
 * The 429s of the limiter, built in one place. Messages follow OpenAI's: which limit, its value,
 * how much is used, and when to retry (or, for a spent quota, when it resets).
 */
final class LimitErrors {
    private LimitErrors() {
    }

    static OpenAiError requestsPerMinute(ProjectLimits p, long waitNanos) {
        return rateLimit("requests", "Rate limit reached for requests per minute (RPM) on project '" + p.projectId + "' (plan '"
                + p.plan.name() + "'): Limit " + p.plan.requestsPerMinute() + ", Used " + p.plan.requestsPerMinute()
                + ", Requested 1. Please try again in " + RateLimitDurations.format(waitNanos) + ".");
    }

    static OpenAiError tokensPerMinute(ProjectLimits p, long available, long waitNanos) {
        return rateLimit("tokens", "Rate limit reached for tokens per minute (TPM) on project '" + p.projectId + "' (plan '"
                + p.plan.name() + "'): Limit " + p.plan.tokensPerMinute() + ", Used " + (p.plan.tokensPerMinute() - available)
                + ". Please try again in " + RateLimitDurations.format(waitNanos) + ".");
    }

    static OpenAiError concurrentRequests(ProjectLimits p, long waitNanos) {
        return rateLimit("requests", "Too many concurrent requests on project '" + p.projectId + "' (plan '" + p.plan.name()
                + "'): Limit " + p.plan.concurrentRequests() + " in flight. Please try again in "
                + RateLimitDurations.format(waitNanos) + ".");
    }

    static OpenAiError monthlyRequests(ProjectLimits p, MonthQuota m) {
        return quota("You exceeded your monthly request quota on project '" + p.projectId + "' (plan '" + p.plan.name()
                + "'): Limit " + p.plan.requestsPerMonth() + " requests in " + m.period() + ". It resets on "
                + m.period().plusMonths(1).atDay(1) + " 00:00 UTC.");
    }

    static OpenAiError budget(ProjectLimits p, MonthQuota m) {
        long spent = m.spentMicros();
        long reserved = Math.max(0, m.committedMicros() - spent);
        return quota("You exceeded the monthly budget of project '" + p.projectId + "': $" + usd(p.budgetMicros) + " in "
                + m.period() + " ($" + usd(spent) + " spent, $" + usd(reserved) + " reserved by calls in flight). It resets on "
                + m.period().plusMonths(1).atDay(1) + " 00:00 UTC.");
    }

    private static OpenAiError rateLimit(String type, String message) {
        return new OpenAiError(429, type, "rate_limit_exceeded", message, null);
    }

    private static OpenAiError quota(String message) {
        return new OpenAiError(429, "insufficient_quota", "insufficient_quota", message, null);
    }

    /** Dollars with at least two decimals and no trailing zeros beyond them: 500.00, 0.004567. */
    static String usd(long micros) {
        BigDecimal v = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return (v.scale() < 2 ? v.setScale(2) : v).toPlainString();
    }
}
