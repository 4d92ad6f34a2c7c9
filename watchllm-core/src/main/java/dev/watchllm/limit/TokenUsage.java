package dev.watchllm.limit;

/**
 * The token counts a provider reported for one call ({@code usage} of a plain answer, or of a
 * stream's usage chunk). Embeddings report no completion tokens.
 */
public record TokenUsage(long promptTokens, long completionTokens, long totalTokens) {
    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }
}
