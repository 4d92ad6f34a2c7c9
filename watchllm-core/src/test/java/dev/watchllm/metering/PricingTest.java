package dev.watchllm.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.watchllm.config.ConfigException;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PricingTest {
    static final Pricing P = Pricing.builtIn();

    static long cost(String model, long in, long cached, long out, long reasoning) {
        ModelPrice p = P.resolve(model);
        assertNotNull(p, model + " has a price");
        return p.costMicros(TokenUsage.of(in, cached, out, reasoning));
    }

    @Test
    void everyProviderIsListedWithSourceAndDate() {
        for (String m : List.of("gpt-4o", "gpt-4o-mini", "o3", "claude-sonnet-4-5", "gemini-2.5-flash", "mistral-large",
                "llama-3.3-70b-versatile", "deepseek-chat")) {
            assertNotNull(P.resolve(m), m);
        }
        assertEquals("2025-11", P.asOf());
    }

    @Test
    void costOfPlainTokens() {
        // gpt-4o-mini: $0.15 in, $0.60 out per 1M -> 1000 in + 500 out = 150 + 300 micro-dollars
        assertEquals(450, cost("gpt-4o-mini", 1000, 0, 500, 0));
        // the fake provider's answer: 12 in, 7 out = 1.8 + 4.2 micro-dollars
        assertEquals(6, cost("gpt-4o-mini", 12, 0, 7, 0));
        // claude-sonnet-4-5: $3 in, $15 out -> 1M in + 100k out = $3 + $1.5
        assertEquals(4_500_000, cost("claude-sonnet-4-5", 1_000_000, 0, 100_000, 0));
        // gemini-2.5-flash: $0.30 in, $2.50 out
        assertEquals(300 + 2_500, cost("gemini-2.5-flash", 1000, 0, 1000, 0));
        // mistral-small: $0.10 / $0.30; llama-3.1-8b-instant on Groq: $0.05 / $0.08
        assertEquals(100 + 300, cost("mistral-small", 1000, 0, 1000, 0));
        assertEquals(50 + 80, cost("llama-3.1-8b-instant", 1000, 0, 1000, 0));
    }

    @Test
    void cachedInputIsChargedAtTheCachedPrice() {
        // gpt-4o: 10k prompt of which 8k cached, 1k out: 2000*2.5 + 8000*1.25 + 1000*10 micro-dollars per 1M... in micro-dollars:
        assertEquals(5_000 + 10_000 + 10_000, cost("gpt-4o", 10_000, 8_000, 1_000, 0));
        // no cache discount listed (mistral): cached tokens cost as input
        assertEquals(cost("mistral-large", 1000, 0, 0, 0), cost("mistral-large", 1000, 1000, 0, 0));
        // DeepSeek reports prompt_cache_hit_tokens: 400 miss * 0.28 + 600 hit * 0.028 + 100 out * 0.42 = 112 + 16.8 + 42 = 170.8
        TokenUsage ds = TokenUsage.fromJson(json("{\"prompt_tokens\":1000,\"completion_tokens\":100,"
                + "\"prompt_cache_hit_tokens\":600,\"prompt_cache_miss_tokens\":400}"));
        assertEquals(600, ds.cachedInputTokens());
        assertEquals(171, P.resolve("deepseek-chat").costMicros(ds));
    }

    @Test
    void reasoningTokensArePartOfOutputAndNotChargedTwice() {
        TokenUsage u = TokenUsage.fromJson(json("{\"prompt_tokens\":100,\"completion_tokens\":1000,\"total_tokens\":1100,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":800}}"));
        assertEquals(800, u.reasoningTokens());
        // o3: $2 in, $8 out: 100*2 + 1000*8
        assertEquals(200 + 8_000, P.resolve("o3").costMicros(u));
    }

    @Test
    void usageIsReadInEveryShape() {
        TokenUsage openai = TokenUsage.fromJson(json("{\"prompt_tokens\":50,\"completion_tokens\":10,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":32},\"completion_tokens_details\":{\"reasoning_tokens\":4}}"));
        assertEquals(TokenUsage.of(50, 32, 10, 4), openai);
        TokenUsage responses = TokenUsage.fromJson(json("{\"input_tokens\":50,\"output_tokens\":10,"
                + "\"input_tokens_details\":{\"cached_tokens\":8},\"output_tokens_details\":{\"reasoning_tokens\":2}}"));
        assertEquals(TokenUsage.of(50, 8, 10, 2), responses);
        assertEquals(TokenUsage.of(3, 0, 0, 0), TokenUsage.fromJson(json("{\"prompt_tokens\":3,\"total_tokens\":3}")));
        assertNull(TokenUsage.fromJson(json("null")));
    }

    @Test
    void modelIdsResolveDatedSuffixesAndProviderPrefixes() {
        ModelPrice mini = P.resolve("gpt-4o-mini");
        assertSame(mini, P.resolve("gpt-4o-mini-2024-07-18"));
        assertSame(mini, P.resolve("openai/gpt-4o-mini"));
        assertSame(mini, P.resolve("openai/gpt-4o-mini-2024-07-18"));
        assertSame(mini, P.resolve("GPT-4o-Mini"));
        assertSame(P.resolve("gpt-3.5-turbo"), P.resolve("gpt-3.5-turbo-0125"));
        assertSame(P.resolve("claude-3-5-sonnet"), P.resolve("claude-3-5-sonnet-20241022"));
        assertSame(P.resolve("claude-3-5-sonnet"), P.resolve("claude-3-5-sonnet-latest"));
        assertSame(P.resolve("claude-sonnet-4"), P.resolve("anthropic/claude-sonnet-4-20250514"));
        assertSame(P.resolve("claude-sonnet-4"), P.resolve("claude-sonnet-4-0"));
        assertSame(P.resolve("mistral-large"), P.resolve("mistral-large-2411"));
        assertSame(P.resolve("mistral-large"), P.resolve("mistral-large-latest"));
        assertSame(P.resolve("gemini-1.5-flash"), P.resolve("gemini-1.5-flash-002"));
        assertSame(P.resolve("gemini-2.5-flash"), P.resolve("models/gemini-2.5-flash"));
        assertSame(P.resolve("llama-3.3-70b-versatile"), P.resolve("groq/llama-3.3-70b-versatile"));
        assertSame(P.resolve("meta-llama/llama-4-scout-17b-16e-instruct"), P.resolve("groq/meta-llama/llama-4-scout-17b-16e-instruct"));
        assertSame(P.resolve("openai/gpt-oss-120b"), P.resolve("gpt-oss-120b"));
        // an exact dated entry wins over its family: gpt-4o-2024-05-13 kept its launch price
        assertEquals(5_000_000, P.resolve("gpt-4o-2024-05-13").inputMicrosPerMillion());
        assertEquals(2_500_000, P.resolve("gpt-4o-2024-08-06").inputMicrosPerMillion());
    }

    @Test
    void unknownModelsHaveNoPriceRatherThanAZeroOne() {
        assertNull(P.resolve("mystery-model-9"));
        assertNull(P.resolve("llama3.2:3b"));
        assertNull(P.resolve("ft:gpt-4o-mini-2024-07-18:acme::abc123"), "fine-tunes have their own prices");
        assertNull(P.resolve("gpt-4o-mini-search-preview"), "no prefix matching onto a different model");
        assertNull(P.resolve(""));
        assertNull(P.resolve(null));
    }

    @Test
    void roundingIsHalfUpToTheMicroDollar() {
        // text-embedding-3-small: $0.02 per 1M; 3 tokens = 0.06 micro-dollars -> 0; 25 tokens = 0.5 -> 1
        assertEquals(0, cost("text-embedding-3-small", 3, 0, 0, 0));
        assertEquals(1, cost("text-embedding-3-small", 25, 0, 0, 0));
        assertEquals(0, cost("text-embedding-3-small", 24, 0, 0, 0));
    }

    @Test
    void absurdCountsAndPricesCannotOverflow() {
        TokenUsage huge = TokenUsage.fromJson(json("{\"prompt_tokens\":9000000000000000000,\"completion_tokens\":9000000000000000000}"));
        assertEquals(TokenUsage.MAX_TOKENS, huge.inputTokens());
        // o1-pro at the clamp: 1e8 * $150 + 1e8 * $600 per 1M = $75,000
        assertEquals(75_000_000_000L, P.resolve("o1-pro").costMicros(huge));
        assertThrows(IllegalArgumentException.class,
                () -> ModelPrice.ofUsdPerMillion("m", new BigDecimal("10000.000001"), null, BigDecimal.ONE));
    }

    @Test
    void overridesAddAndReplaceEntries() {
        Pricing p = P.with(List.of(
                ModelPrice.ofUsdPerMillion("llama3.2", BigDecimal.ZERO, null, BigDecimal.ZERO),
                ModelPrice.ofUsdPerMillion("gpt-4o", new BigDecimal("2"), new BigDecimal("1"), new BigDecimal("8"))));
        assertEquals(0, p.resolve("llama3.2:latest").costMicros(TokenUsage.of(1000, 0, 1000, 0)), "a configured free model is priced at 0");
        assertEquals(2_000_000, p.resolve("gpt-4o-2024-11-20").inputMicrosPerMillion());
        assertEquals(2_500_000, P.resolve("gpt-4o").inputMicrosPerMillion(), "the built-in list is unchanged");
    }

    @Test
    void usdIsExact() {
        assertEquals("0", Usd.format(0));
        assertEquals("0.000006", Usd.format(6));
        assertEquals("0.025", Usd.format(25_000));
        assertEquals("1.5", Usd.format(1_500_000));
        assertEquals("-0.1", Usd.format(-100_000));
        assertEquals("12.000305", Usd.format(12_000_305));
        assertEquals("1", Usd.format(1_000_000));
        // the hand-written formatter says what BigDecimal says, for every kind of amount
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        long[] edges = {1, 9, 10, 99_999, 100_000, 999_999, 1_000_001, 10_000_000, Long.MAX_VALUE, Long.MIN_VALUE, -1, -999_999};
        for (long m : edges) assertEquals(new BigDecimal(m).movePointLeft(6).stripTrailingZeros().toPlainString(), Usd.format(m), "" + m);
        for (int i = 0; i < 20_000; i++) {
            long m = i % 2 == 0 ? r.nextLong(0, 10_000_000) : r.nextLong();
            assertEquals(new BigDecimal(m).movePointLeft(6).stripTrailingZeros().toPlainString(), Usd.format(m), "" + m);
        }
        assertEquals(18_750, Usd.toMicros(new BigDecimal("0.01875"), "x"));
        assertThrows(IllegalArgumentException.class, () -> Usd.toMicros(new BigDecimal("0.0000001"), "x"));
        assertThrows(IllegalArgumentException.class, () -> Usd.toMicros(new BigDecimal("-1"), "x"));
    }

    @Test
    void configPricingAddsEntries() {
        WatchLlmConfig c = ConfigLoader.load(yaml("pricing:\n"
                + "  llama3.2: { input: 0, output: 0 }\n"
                + "  gpt-4o-mini: { input: 0.15, cachedInput: 0.075, output: 0.6 }\n"));
        assertEquals(new ModelPrice("gpt-4o-mini", 150_000, 75_000, 600_000), c.pricing().get("gpt-4o-mini"));
        assertEquals(new ModelPrice("llama3.2", 0, 0, 0), c.pricing().get("llama3.2"));
        assertEquals(c.pricing(), c.toBuilder().build().pricing());
    }

    @Test
    void configPricingErrorsNameTheField() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml("pricing:\n  m1: { input: 1 }\n")));
        assertTrue(e.getMessage().contains("pricing.m1.output"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml("pricing:\n  m1: { input: -1, output: 1 }\n")));
        assertTrue(e.getMessage().contains("pricing.m1.input"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml("pricing:\n  m1: { input: 1, output: 2, outptu: 3 }\n")));
        assertTrue(e.getMessage().contains("pricing.m1.outptu"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml("pricing:\n  m1: { input: cheap, output: 2 }\n")));
        assertTrue(e.getMessage().contains("pricing.m1.input"), e.getMessage());
    }

    static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static ByteArrayInputStream yaml(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
