package dev.watchllm.metering;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The list price of one model, in micro-dollars per million tokens (which is also pico-dollars
 * per token), so that every price and every cost is an exact integer.
 *
 * @param model the canonical model id (lower case), e.g. {@code gpt-4o-mini}
 * @param inputMicrosPerMillion prompt tokens not served from the provider's prompt cache
 * @param cachedInputMicrosPerMillion prompt tokens served from the provider's prompt cache
 * @param outputMicrosPerMillion completion tokens (reasoning tokens included: providers bill them as output)
 */
public record ModelPrice(String model, long inputMicrosPerMillion, long cachedInputMicrosPerMillion, long outputMicrosPerMillion) {
    private static final long PICO_PER_MICRO = 1_000_000L;
    /** $10,000 per million tokens: with {@link TokenUsage#MAX_TOKENS}, no cost can overflow a long. */
    public static final long MAX_MICROS_PER_MILLION = 10_000_000_000L;

    public ModelPrice {
        Objects.requireNonNull(model, "model");
        if (inputMicrosPerMillion < 0 || cachedInputMicrosPerMillion < 0 || outputMicrosPerMillion < 0) {
            throw new IllegalArgumentException("prices of '" + model + "' must not be negative");
        }
        if (inputMicrosPerMillion > MAX_MICROS_PER_MILLION || cachedInputMicrosPerMillion > MAX_MICROS_PER_MILLION
                || outputMicrosPerMillion > MAX_MICROS_PER_MILLION) {
            throw new IllegalArgumentException("prices of '" + model + "' must be at most 10000 USD per million tokens");
        }
    }

    /**
     * A price from USD-per-million-token amounts as written in price lists ({@code "0.15"}).
     * {@code cachedInputUsd} may be null: no prompt-cache discount, cached tokens cost as input.
     *
     * @throws IllegalArgumentException for a negative amount or one finer than a micro-dollar
     */
    public static ModelPrice ofUsdPerMillion(String model, BigDecimal inputUsd, BigDecimal cachedInputUsd, BigDecimal outputUsd) {
        long in = Usd.toMicros(inputUsd, "input");
        long cached = cachedInputUsd == null ? in : Usd.toMicros(cachedInputUsd, "cachedInput");
        return new ModelPrice(model, in, cached, Usd.toMicros(outputUsd, "output"));
    }

    /**
     * What {@code usage} costs at this price, in micro-dollars, rounded half up. Cached prompt
     * tokens are part of the prompt tokens (OpenAI's convention) and are charged at the cached price;
     * reasoning tokens are part of the completion tokens and are not charged twice.
     */
    public long costMicros(TokenUsage usage) {
        long cached = Math.max(0, Math.min(usage.cachedInputTokens(), usage.inputTokens()));
        long uncached = Math.max(0, usage.inputTokens() - cached);
        long pico = Math.addExact(Math.addExact(
                Math.multiplyExact(uncached, inputMicrosPerMillion),
                Math.multiplyExact(cached, cachedInputMicrosPerMillion)),
                Math.multiplyExact(Math.max(0, usage.outputTokens()), outputMicrosPerMillion));
        return (pico + PICO_PER_MICRO / 2) / PICO_PER_MICRO;
    }
}
