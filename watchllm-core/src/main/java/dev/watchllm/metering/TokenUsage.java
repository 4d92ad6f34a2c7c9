package dev.watchllm.metering;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The tokens of one answer. {@code inputTokens} includes {@code cachedInputTokens} and
 * {@code outputTokens} includes {@code reasoningTokens}, as in OpenAI's {@code usage} object.
 *
 * @param estimated true when the provider reported no usage and the counts were estimated from the text
 */
public record TokenUsage(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens, boolean estimated) {
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, false);
    /** No request has more; a larger count from a provider is clamped so cost arithmetic can never overflow. */
    public static final long MAX_TOKENS = 100_000_000L;

    public TokenUsage {
        inputTokens = clamp(inputTokens);
        cachedInputTokens = clamp(cachedInputTokens);
        outputTokens = clamp(outputTokens);
        reasoningTokens = clamp(reasoningTokens);
    }

    private static long clamp(long n) {
        return Math.max(0, Math.min(n, MAX_TOKENS));
    }

    public static TokenUsage of(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens) {
        return new TokenUsage(inputTokens, cachedInputTokens, outputTokens, reasoningTokens, false);
    }

    /** True when there is at least one token to bill. */
    public boolean any() {
        return inputTokens > 0 || outputTokens > 0;
    }

    /**
     * Reads a provider's {@code usage} object: {@code prompt_tokens}, {@code completion_tokens},
     * {@code prompt_tokens_details.cached_tokens}, {@code completion_tokens_details.reasoning_tokens};
     * also DeepSeek's {@code prompt_cache_hit_tokens} and the Responses-API names
     * ({@code input_tokens}, {@code output_tokens}). Null when {@code usage} is not an object.
     */
    public static TokenUsage fromJson(JsonNode usage) {
        if (usage == null || !usage.isObject()) return null;
        long in = first(usage, "prompt_tokens", "input_tokens");
        long out = first(usage, "completion_tokens", "output_tokens");
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(-1);
        if (cached < 0) cached = usage.path("input_tokens_details").path("cached_tokens").asLong(-1);
        if (cached < 0) cached = usage.path("prompt_cache_hit_tokens").asLong(0);
        long reasoning = usage.path("completion_tokens_details").path("reasoning_tokens").asLong(-1);
        if (reasoning < 0) reasoning = usage.path("output_tokens_details").path("reasoning_tokens").asLong(0);
        return new TokenUsage(in, cached, out, reasoning, false);
    }

    private static long first(JsonNode n, String a, String b) {
        JsonNode v = n.get(a);
        if (v == null || !v.isNumber()) v = n.get(b);
        return v != null && v.isNumber() ? v.asLong() : 0;
    }
}
