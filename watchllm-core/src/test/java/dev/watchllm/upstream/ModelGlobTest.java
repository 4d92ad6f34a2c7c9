package dev.watchllm.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelGlobTest {
    @ParameterizedTest
    @CsvSource({
        "gpt-*, gpt-4o, true",
        "gpt-*, gpt-, true",
        "gpt-*, gpt, false",
        "gpt-*, xgpt-4o, false",
        "gpt-*, GPT-4o, false",
        "o1*, o1, true",
        "o1*, o1-mini, true",
        "o1*, o10, true",
        "o1*, o3-mini, false",
        "*, anything, true",
        "*, '', true",
        "'', '', true",
        "'', a, false",
        "*mini, gpt-4o-mini, true",
        "*mini, gpt-4o-mini-2024, false",
        "gpt-?o, gpt-4o, true",
        "gpt-?o, gpt-4oo, false",
        "gpt-?o, gpt-o, false",
        "a*b*c, aXbYbZc, true",
        "a*b*c, aXbYbZ, false",
        "a**c, abc, true",
        "*-*-*, llama-3-8b, true",
        "*-*-*, llama-3, false",
        "text-embedding-3-small, text-embedding-3-small, true",
        "text-embedding-3-small, text-embedding-3-smal, false",
        "llama*, llama3.1:8b, true",
        "qwen*, Qwen2, false",
    })
    void matches(String glob, String model, boolean expected) {
        assertEquals(expected, new ModelGlob(glob).matches(model), glob + " vs " + model);
    }
}
