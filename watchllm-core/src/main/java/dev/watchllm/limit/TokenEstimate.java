package dev.watchllm.limit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;

/**
 * Token counts known before a call, without a tokenizer: the prompt from the body's size (about
 * four bytes a token, OpenAI's own rule of thumb; the JSON around the text pads it), the output
 * from what the request asks for.
 */
final class TokenEstimate {
    private TokenEstimate() {
    }

    static long promptTokens(ParsedRequest req) {
        return req.raw().length / 4 + 1;
    }

    /**
     * The most output tokens the request can produce: {@code max_completion_tokens} or
     * {@code max_tokens} (at most {@code modelCap}), else {@code modelCap}; times {@code n}.
     * Embeddings produce none.
     */
    static long outputCap(ParsedRequest req, long modelCap) {
        if (req.endpoint() == Endpoint.EMBEDDINGS) return 0;
        long asked = askedPerChoice(req);
        return (asked > 0 ? Math.min(asked, modelCap) : modelCap) * choices(req);
    }

    /** {@code max_completion_tokens} or {@code max_tokens} times {@code n}, or 0 when the request sets neither. */
    static long requestedOutput(ParsedRequest req) {
        if (req.endpoint() == Endpoint.EMBEDDINGS) return 0;
        return askedPerChoice(req) * choices(req);
    }

    private static long askedPerChoice(ParsedRequest req) {
        JsonNode v = req.body().get("max_completion_tokens");
        if (v == null || !v.canConvertToLong()) v = req.body().get("max_tokens");
        return v != null && v.canConvertToLong() && v.asLong() > 0 ? v.asLong() : 0;
    }

    private static long choices(ParsedRequest req) {
        JsonNode n = req.body().get("n");
        return n != null && n.canConvertToLong() && n.asLong() > 1 ? n.asLong() : 1;
    }
}
