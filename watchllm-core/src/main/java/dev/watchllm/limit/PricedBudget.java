package dev.watchllm.limit;

import dev.watchllm.metering.ModelPrice;
import dev.watchllm.metering.Pricing;
import dev.watchllm.metering.TokenUsage;
import dev.watchllm.openai.ParsedRequest;

/**
 * Prices budgets with the metering price list, so a budget and the usage API agree. A model the
 * list does not know is priced at {@link #UNKNOWN}, deliberately dear, so a budget errs on the side
 * of stopping early; reservations count every prompt token at the full input rate (no
 * cached-input discount) for the same reason.
 */
public final class PricedBudget implements BudgetPricing {
    /** The price of a model the list does not know: o1's list rates. */
    public static final ModelPrice UNKNOWN = new ModelPrice("<unknown>", 15_000_000, 15_000_000, 60_000_000);
    /** Output cap assumed when a request sets no {@code max_tokens}: the largest common model cap. */
    static final long DEFAULT_OUTPUT_CAP = 32_768;

    private final Pricing pricing;

    public PricedBudget(Pricing pricing) {
        this.pricing = pricing;
    }

    ModelPrice price(String model) {
        ModelPrice p = pricing.resolve(model);
        return p != null ? p : UNKNOWN;
    }

    @Override
    public long worstCaseMicros(ParsedRequest request) {
        ModelPrice p = price(request.model());
        long prompt = TokenEstimate.promptTokens(request);
        long output = TokenEstimate.outputCap(request, DEFAULT_OUTPUT_CAP);
        return p.costMicros(TokenUsage.of(prompt, 0, output, 0)) + 1;
    }

    @Override
    public long costMicros(String model, TokenUsage usage) {
        return price(model).costMicros(usage);
    }
}
