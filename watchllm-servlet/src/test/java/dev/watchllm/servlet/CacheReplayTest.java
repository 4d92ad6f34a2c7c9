package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ChatModel;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.watchllm.testing.FakeProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A cached answer serves either mode: plain answers replay as SSE, streams assemble into plain answers; read back by the SDK. */
class CacheReplayTest {
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

    static ChatCompletionCreateParams withUsage(ChatCompletionCreateParams p) {
        return p.toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    }

    static ChatCompletionCreateParams withTools(String text) {
        return params(text).toBuilder().addFunctionTool(FunctionDefinition.builder().name("get_weather")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build()).build()).build();
    }

    static String cache(HttpResponseFor<?> r) {
        return r.headers().values("X-WatchLLM-Cache").get(0);
    }

    /** Streams {@code p} through the SDK; the chunks and the X-WatchLLM-Cache value. */
    static Map.Entry<String, List<ChatCompletionChunk>> stream(ChatCompletionCreateParams p) {
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> r = gw.client().chat().completions().withRawResponse().createStreaming(p);
        try (StreamResponse<ChatCompletionChunk> s = r.parse()) {
            return Map.entry(cache(r), s.stream().collect(Collectors.toList()));
        }
    }

    static String text(List<ChatCompletionChunk> chunks) {
        return chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
    }

    /** A provider stream of raw SSE events. */
    static FakeProvider.Behavior sse(List<String> events) {
        return (req, resp, cb, r) -> {
            resp.setStatus(200);
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            resp.write(true, ByteBuffer.wrap(String.join("", events).getBytes(StandardCharsets.UTF_8)), cb);
        };
    }

    @Test
    void aCachedPlainAnswerServesAStreamedRequest() {
        String answer = "The quick brown fox jumps over the lazy dog. ".repeat(14); // > 2 content chunks
        int before = gw.provider.requestCount();
        gw.provider.enqueue(FakeProvider.chat(answer));
        assertEquals("MISS", cache(gw.client().chat().completions().withRawResponse().create(params("Tell me about foxes"))));

        Map.Entry<String, List<ChatCompletionChunk>> s = stream(params("Tell me about foxes"));
        assertEquals("HIT", s.getKey());
        List<ChatCompletionChunk> chunks = s.getValue();
        assertEquals(answer, text(chunks));
        assertTrue(chunks.stream().filter(c -> c.choices().get(0).delta().content().filter(t -> !t.isEmpty()).isPresent()).count() > 2);
        assertEquals(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT, chunks.get(0).choices().get(0).delta().role().orElseThrow());
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertEquals(ChatCompletionChunk.Choice.FinishReason.STOP, last.choices().get(0).finishReason().orElseThrow());
        assertTrue(chunks.stream().noneMatch(c -> c.choices().isEmpty()), "no usage chunk unless asked");

        List<ChatCompletionChunk> withUsage = stream(withUsage(params("Tell me about foxes"))).getValue();
        ChatCompletionChunk usage = withUsage.get(withUsage.size() - 1);
        assertTrue(usage.choices().isEmpty());
        assertEquals(7L, usage.usage().orElseThrow().completionTokens());
        assertEquals(before + 1, gw.provider.requestCount(), "one provider call served all three");
    }

    @Test
    void theReplayedStreamIsWellFormedSse() throws Exception {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Raw SSE please\"}]}";
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + gw.key).header("Content-Type", "application/json");
        http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        String streamBody = body.replace("}]}", "}],\"stream\":true}");
        HttpResponse<String> r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(streamBody)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("HIT", r.headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        String sse = r.body();
        assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);
        String[] events = sse.split("\n\n");
        for (String e : events) assertTrue(e.startsWith("data: ") && !e.contains("\n"), e);
        assertTrue(events[0].contains("\"role\":\"assistant\""));
        assertTrue(events[events.length - 2].contains("\"finish_reason\":\"stop\""));
    }

    @Test
    void aCachedStreamServesAPlainRequest() {
        gw.provider.enqueue(FakeProvider.stream("Hel", "lo", " world"));
        Map.Entry<String, List<ChatCompletionChunk>> first = stream(params("Greet the world"));
        assertEquals("MISS", first.getKey());
        assertEquals("Hello world", text(first.getValue()));

        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(params("Greet the world"));
        assertEquals("HIT", cache(r));
        ChatCompletion c = r.parse();
        assertEquals("Hello world", c.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().get(0).finishReason());
        assertEquals(3L, c.usage().orElseThrow().completionTokens(), "the usage of the stream's usage chunk");

        Map.Entry<String, List<ChatCompletionChunk>> again = stream(params("Greet the world"));
        assertEquals("HIT", again.getKey());
        assertEquals("Hello world", text(again.getValue()));
        assertTrue(again.getValue().stream().noneMatch(ch -> ch.choices().isEmpty()), "the cached usage chunk is dropped unless asked");
    }

    @Test
    void toolCallsSurviveAPlainToStreamReplay() {
        String plain = "{\"id\":\"chatcmpl-t1\",\"object\":\"chat.completion\",\"created\":1733300000,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null,\"tool_calls\":["
                + "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
                + "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":20,\"total_tokens\":50}}";
        gw.provider.enqueue(FakeProvider.status(200, plain));
        ChatCompletionCreateParams p = withTools("Weather in Paris and Rome?");
        List<ChatCompletionMessageToolCall> original = gw.client().chat().completions().create(p).choices().get(0).message().toolCalls().orElseThrow();

        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        Map.Entry<String, List<ChatCompletionChunk>> s = stream(p);
        assertEquals("HIT", s.getKey());
        s.getValue().forEach(acc::accumulate);
        ChatCompletion assembled = acc.chatCompletion();
        List<ChatCompletionMessageToolCall> replayed = assembled.choices().get(0).message().toolCalls().orElseThrow();
        assertEquals(2, replayed.size());
        for (int i = 0; i < 2; i++) {
            ChatCompletionMessageFunctionToolCall a = original.get(i).asFunction();
            ChatCompletionMessageFunctionToolCall b = replayed.get(i).asFunction();
            assertEquals(a.id(), b.id());
            assertEquals(a.function().name(), b.function().name());
            assertEquals(a.function().arguments(), b.function().arguments());
        }
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, assembled.choices().get(0).finishReason());
    }

    @Test
    void toolCallsSurviveAStreamToPlainAssembly() {
        String head = "data: {\"id\":\"chatcmpl-t2\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,\"model\":\"gpt-4o-mini\",";
        List<String> events = List.of(
                head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_x\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}],\"usage\":null}\n\n",
                head + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},"
                        + "\"finish_reason\":null}],\"usage\":null}\n\n",
                head + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]},"
                        + "\"finish_reason\":null}],\"usage\":null}\n\n",
                head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n",
                head + "\"choices\":[],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":11,\"total_tokens\":36}}\n\n",
                "data: [DONE]\n\n");
        gw.provider.enqueue(sse(events));
        ChatCompletionCreateParams p = withTools("Weather in Oslo?");
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        Map.Entry<String, List<ChatCompletionChunk>> s = stream(p);
        assertEquals("MISS", s.getKey());
        s.getValue().forEach(acc::accumulate);
        assertEquals("{\"city\":\"Oslo\"}", acc.chatCompletion().choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction()
                .function().arguments());

        HttpResponseFor<ChatCompletion> r = gw.client().chat().completions().withRawResponse().create(p);
        assertEquals("HIT", cache(r));
        ChatCompletion c = r.parse();
        ChatCompletionMessageFunctionToolCall call = c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertEquals("call_x", call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"city\":\"Oslo\"}", call.function().arguments());
        assertFalse(c.choices().get(0).message().content().isPresent());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().get(0).finishReason());
        assertEquals(11L, c.usage().orElseThrow().completionTokens());
    }
}
