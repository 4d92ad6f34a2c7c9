package dev.watchllm.limit;

import dev.watchllm.metering.TokenUsage;
import dev.watchllm.openai.ParsedRequest;

/**
 * Prices requests for {@code budget.monthlyUsd}, in micro-dollars (1 USD = 1,000,000). Both
 * methods run on the request path and must be cheap and never throw.
 *
 * <p>{@link PricedBudget} prices with the metering price list (the one the usage API and cost
 * headers use), so a budget and the bill agree.
 */
public interface BudgetPricing {
    /**
     * The most {@code request} can cost before it is sent: its prompt estimate plus its output
     * cap ({@code max_tokens}, else the model's own cap), at the model's prices.
     */
    long worstCaseMicros(ParsedRequest request);

    /** What a call to {@code model} that reported {@code usage} cost. */
    long costMicros(String model, TokenUsage usage);
}
