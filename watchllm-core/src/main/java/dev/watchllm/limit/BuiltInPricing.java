package dev.watchllm.limit;

import dev.watchllm.openai.ParsedRequest;

/**
 * A small built-in price table (USD per million tokens, and each model's output cap) for common
 * OpenAI models, matched by the longest name prefix ({@code gpt-4o-mini-2024-07-18} is
 * {@code gpt-4o-mini}; a provider prefix such as {@code openai/} is ignored). Any other model is
 * priced at {@link #UNKNOWN}, deliberately dear, so a budget errs on the side of stopping early.
 * Input tokens are all priced at the full input rate (no cached-input discount): again, a budget
 * should err high.
 */
public final class BuiltInPricing implements BudgetPricing {
    /** One model's prices in USD per million tokens, and the most output tokens it produces in one call. */
    public record Price(String prefix, double inputPerMillion, double outputPerMillion, long maxOutputTokens) {
    }

    /** The price of a model the table does not know: o1's rates with a 32k output cap. */
    public static final Price UNKNOWN = new Price("", 15.00, 60.00, 32_768);

    private static final Price[] TABLE = {
            new Price("gpt-5-nano", 0.05, 0.40, 128_000),
            new Price("gpt-5-mini", 0.25, 2.00, 128_000),
            new Price("gpt-5", 1.25, 10.00, 128_000),
            new Price("gpt-4.1-nano", 0.10, 0.40, 32_768),
            new Price("gpt-4.1-mini", 0.40, 1.60, 32_768),
            new Price("gpt-4.1", 2.00, 8.00, 32_768),
            new Price("gpt-4o-mini", 0.15, 0.60, 16_384),
            new Price("gpt-4o", 2.50, 10.00, 16_384),
            new Price("gpt-4-turbo", 10.00, 30.00, 4_096),
            new Price("gpt-3.5-turbo", 0.50, 1.50, 4_096),
            new Price("o1-mini", 1.10, 4.40, 65_536),
            new Price("o1-pro", 150.00, 600.00, 100_000),
            new Price("o1", 15.00, 60.00, 100_000),
            new Price("o3-pro", 20.00, 80.00, 100_000),
            new Price("o3-mini", 1.10, 4.40, 100_000),
            new Price("o3", 2.00, 8.00, 100_000),
            new Price("o4-mini", 1.10, 4.40, 100_000),
            new Price("text-embedding-3-small", 0.02, 0, 0),
            new Price("text-embedding-3-large", 0.13, 0, 0),
            new Price("text-embedding-ada-002", 0.10, 0, 0),
    };

    /** The price for {@code model}: the entry with the longest matching prefix, else {@link #UNKNOWN}. */
    public Price price(String model) {
        int slash = model.lastIndexOf('/');
        int from = slash + 1;
        Price best = UNKNOWN;
        int bestLen = -1;
        for (Price p : TABLE) {
            String pre = p.prefix();
            int len = pre.length();
            if (len > bestLen && model.startsWith(pre, from)
                    && (model.length() == from + len || model.charAt(from + len) == '-')) {
                best = p;
                bestLen = len;
            }
        }
        return best;
    }

    @Override
    public long worstCaseMicros(ParsedRequest request) {
        Price p = price(request.model());
        double usd = TokenEstimate.promptTokens(request) * p.inputPerMillion()
                + TokenEstimate.outputCap(request, p.maxOutputTokens()) * p.outputPerMillion();
        return (long) Math.ceil(usd); // USD per million tokens times tokens is micro-dollars
    }

    @Override
    public long costMicros(String model, TokenUsage usage) {
        Price p = price(model);
        return Math.round(usage.promptTokens() * p.inputPerMillion() + usage.completionTokens() * p.outputPerMillion());
    }
}
