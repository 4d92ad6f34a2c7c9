/**
 * Plans, rate limits, monthly quotas and budgets. {@link dev.watchllm.limit.PlanLimiter} admits or
 * rejects each request before anything else spends on it (cache lookup, provider) and settles it
 * after the answer: real token usage into the per-minute token bucket, real cost into the budget.
 */
package dev.watchllm.limit;
