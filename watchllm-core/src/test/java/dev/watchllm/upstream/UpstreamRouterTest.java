package dev.watchllm.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.UpstreamConfig;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UpstreamRouterTest {
    static UpstreamConfig u(String name, List<String> models, String... fallbacks) {
        return UpstreamConfig.of(name, "http://127.0.0.1:1/" + name, null, models).withFallbacks(List.of(fallbacks));
    }

    static List<String> names(List<UpstreamConfig> chain) {
        return chain.stream().map(UpstreamConfig::name).collect(Collectors.toList());
    }

    final UpstreamRouter router = new UpstreamRouter(List.of(
            u("openai", List.of("gpt-*", "o1*", "text-embedding-*"), "openrouter", "azure"),
            u("azure", List.of("gpt-4o"), "openai"),
            u("ollama", List.of("llama*", "qwen*"), "ollama", "openrouter", "openrouter"),
            u("openrouter", List.of("*"), "ollama")));

    @Test
    void theFirstMatchingUpstreamServesWithItsFallbacksInOrder() {
        assertEquals(List.of("openai", "openrouter", "azure"), names(router.route("gpt-4o")), "openai is listed before azure");
        assertEquals(List.of("openai", "openrouter", "azure"), names(router.route("o1-mini")));
        assertEquals(List.of("ollama", "openrouter"), names(router.route("llama3.1")), "each upstream at most once, itself never again");
        assertEquals(List.of("openrouter", "ollama"), names(router.route("claude-3-5-sonnet")), "the catch-all is last");
    }

    @Test
    void fallbacksAreNotTransitive() {
        // azure's chain is azure -> openai; openai's own fallbacks are not appended
        UpstreamRouter r = new UpstreamRouter(List.of(u("azure", List.of("gpt-4o"), "openai"), u("openai", List.of("gpt-*"), "openrouter"),
                u("openrouter", List.of("x"))));
        assertEquals(List.of("azure", "openai"), names(r.route("gpt-4o")));
        assertEquals(List.of("openai", "openrouter"), names(r.route("gpt-4o-mini")));
    }

    @Test
    void noMatchIsAnEmptyChain() {
        UpstreamRouter r = new UpstreamRouter(List.of(u("openai", List.of("gpt-*"))));
        assertTrue(r.route("llama3").isEmpty());
        assertTrue(new UpstreamRouter(List.of()).route("gpt-4o").isEmpty());
        assertEquals(1, r.all().size());
    }
}
