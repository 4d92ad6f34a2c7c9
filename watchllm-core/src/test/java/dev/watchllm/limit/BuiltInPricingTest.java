package dev.watchllm.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BuiltInPricingTest {
    final BuiltInPricing pricing = new BuiltInPricing();

    static ParsedRequest parse(Endpoint ep, String json) {
        return RequestParser.parse(ep, json.getBytes(StandardCharsets.UTF_8)).request();
    }

    @Test
    void longestPrefixWinsAndDatedOrProviderPrefixedNamesMatch() {
        assertEquals("gpt-4o-mini", pricing.price("gpt-4o-mini").prefix());
        assertEquals("gpt-4o-mini", pricing.price("gpt-4o-mini-2024-07-18").prefix());
        assertEquals("gpt-4o", pricing.price("gpt-4o-2024-08-06").prefix());
        assertEquals("gpt-4.1-mini", pricing.price("openai/gpt-4.1-mini").prefix());
        assertEquals("o3-mini", pricing.price("o3-mini").prefix());
        assertSame(BuiltInPricing.UNKNOWN, pricing.price("gpt-4oo"), "a prefix must end at a '-' or the name's end");
        assertSame(BuiltInPricing.UNKNOWN, pricing.price("llama3.2"));
    }

    @Test
    void worstCaseIsPromptEstimatePlusOutputCap() {
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":100,\"n\":2}";
        long prompt = body.length() / 4 + 1;
        assertEquals((long) Math.ceil(prompt * 2.50 + 200 * 10.00), pricing.worstCaseMicros(parse(Endpoint.CHAT_COMPLETIONS, body)));
        String noMax = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertEquals((long) Math.ceil((noMax.length() / 4 + 1) * 2.50 + 16_384 * 10.00),
                pricing.worstCaseMicros(parse(Endpoint.CHAT_COMPLETIONS, noMax)), "the model's own output cap");
        String tooMuch = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":999999}";
        assertEquals((long) Math.ceil((tooMuch.length() / 4 + 1) * 2.50 + 16_384 * 10.00),
                pricing.worstCaseMicros(parse(Endpoint.CHAT_COMPLETIONS, tooMuch)), "never above the model's cap");
        String emb = "{\"model\":\"text-embedding-3-small\",\"input\":\"hello world\"}";
        assertEquals((long) Math.ceil((emb.length() / 4 + 1) * 0.02), pricing.worstCaseMicros(parse(Endpoint.EMBEDDINGS, emb)));
    }

    @Test
    void realCostFromUsage() {
        assertEquals(602, pricing.costMicros("gpt-4o-mini", new TokenUsage(12, 1000, 1012)));
        assertEquals(60_000_000, pricing.costMicros("some-local-model", new TokenUsage(0, 1_000_000, 1_000_000)), "unknown: dear");
    }
}
