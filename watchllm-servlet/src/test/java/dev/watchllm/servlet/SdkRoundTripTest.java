package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.watchllm.testing.FakeProvider;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK through WatchLlmFilter on Jetty to a real HTTP provider. */
class SdkRoundTripTest {
    static Gateway gw;

    @BeforeAll
    static void start() throws Exception {
        gw = new Gateway();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    static ChatCompletionCreateParams params(String text) {
        return ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage(text).build();
    }

    @Test
    void plainChatCompletion() throws Exception {
        gw.provider.enqueue(FakeProvider.chat("Paris is the capital of France."));
        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(params("Capital of France?"));
        ChatCompletion c = r.parse();
        assertEquals("Paris is the capital of France.", c.choices().get(0).message().content().orElseThrow());
        assertEquals("fake", r.headers().values("X-WatchLLM-Provider").get(0));
        assertFalse(r.headers().values("X-Request-Id").isEmpty());
        FakeProvider.Recorded sent = gw.provider.takeRequest();
        assertEquals("/v1/chat/completions", sent.path());
        assertEquals("Bearer sk-provider-secret", sent.header("Authorization"), "the provider key replaces the client's");
        assertFalse(sent.body().contains("include_usage"), "plain requests are forwarded as sent");
    }

    @Test
    void streamedChatCompletionDropsTheUsageChunkItAskedFor() throws Exception {
        gw.provider.enqueue(FakeProvider.stream("Hel", "lo", " world"));
        String text;
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = gw.client().chat().completions().createStreaming(params("Say hello"))) {
            chunks = s.stream().collect(Collectors.toList());
        }
        text = chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertEquals("Hello world", text);
        assertTrue(chunks.stream().allMatch(c -> !c.choices().isEmpty()), "no usage-only chunk reaches a client that did not ask");
        FakeProvider.Recorded sent = gw.provider.takeRequest();
        assertTrue(sent.body().contains("\"include_usage\":true"), "the gateway always asks the provider for usage");
    }

    @Test
    void streamedChatCompletionKeepsUsageWhenAsked() throws Exception {
        gw.provider.enqueue(FakeProvider.stream("a", "b"));
        ChatCompletionCreateParams p = params("x").toBuilder()
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = gw.client().chat().completions().createStreaming(p)) {
            chunks = s.stream().collect(Collectors.toList());
        }
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(2L, last.usage().orElseThrow().completionTokens());
        gw.provider.takeRequest();
    }

    @Test
    void embeddings() throws Exception {
        gw.provider.enqueue(FakeProvider.embeddings());
        CreateEmbeddingResponse r = gw.client().embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello").build());
        assertEquals(3, r.data().get(0).embedding().size());
        assertEquals("/v1/embeddings", gw.provider.takeRequest().path());
    }

    @Test
    void models() throws Exception {
        gw.provider.enqueue(FakeProvider.models("gpt-4o-mini", "gpt-4o"));
        List<String> ids = gw.client().models().list().data().stream().map(Model::id).collect(Collectors.toList());
        assertEquals(List.of("gpt-4o-mini", "gpt-4o"), ids);
        assertEquals("GET", gw.provider.takeRequest().method());
    }

    @Test
    void providerErrorSurfacesWithItsStatus() throws Exception {
        String body = "{\"error\":{\"message\":\"bad model\",\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":\"model_not_found\"}}";
        gw.provider.enqueue(FakeProvider.status(404, body));
        com.openai.errors.NotFoundException e = org.junit.jupiter.api.Assertions.assertThrows(com.openai.errors.NotFoundException.class,
                () -> gw.client().chat().completions().create(params("a question no other test asks")));
        assertEquals(404, e.statusCode());
        assertEquals("model_not_found", e.code().orElseThrow());
        gw.provider.takeRequest();
        assertNull(null);
    }
}
