package dev.watchllm.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.metering.Pricing;
import dev.watchllm.metering.TokenUsage;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PricedBudgetTest {
    final Pricing list = Pricing.builtIn();
    final PricedBudget budget = new PricedBudget(list);

    static ParsedRequest chat(String model, String extra) {
        String json = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}";
        return RequestParser.parse(Endpoint.CHAT_COMPLETIONS, json.getBytes(StandardCharsets.UTF_8)).request();
    }

    @Test
    void realCostUsesTheMeteringPriceList() {
        TokenUsage u = TokenUsage.of(1000, 400, 500, 0);
        assertEquals(list.resolve("gpt-4o-mini").costMicros(u), budget.costMicros("gpt-4o-mini", u));
        assertEquals(list.resolve("gpt-4o-mini").costMicros(u), budget.costMicros("gpt-4o-mini-2024-07-18", u), "dated ids resolve");
    }

    @Test
    void unknownModelsAreDearNeverFree() {
        assertEquals(60_000_000, budget.costMicros("some-local-model", TokenUsage.of(0, 0, 1_000_000, 0)));
    }

    @Test
    void worstCaseCoversMaxTokensAndNeverUnderestimatesTheRealCost() {
        ParsedRequest capped = chat("gpt-4o-mini", ",\"max_tokens\":100");
        ParsedRequest open = chat("gpt-4o-mini", "");
        long cappedCost = budget.worstCaseMicros(capped);
        assertTrue(cappedCost < budget.worstCaseMicros(open), "no max_tokens reserves the model cap");
        long real = budget.costMicros("gpt-4o-mini", TokenUsage.of(TokenEstimate.promptTokens(capped), 0, 100, 0));
        assertTrue(cappedCost >= real, "the reservation covers a call that used every token it may");
        assertEquals(0, TokenEstimate.outputCap(RequestParser.parse(Endpoint.EMBEDDINGS,
                "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8)).request(), 1000));
    }
}
