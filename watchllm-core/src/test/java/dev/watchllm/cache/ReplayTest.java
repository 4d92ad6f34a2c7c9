package dev.watchllm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.openai.SseEvents;
import dev.watchllm.testing.FakeProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cross-mode conversions: plain -> SSE ({@link SseReplayer}) and SSE -> plain ({@link StreamAssembler}). */
class ReplayTest {
    static final String TOOL_ANSWER = "{\"id\":\"chatcmpl-t\",\"object\":\"chat.completion\",\"created\":1733300000,\"model\":\"gpt-4o-mini\","
            + "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null,"
            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
            + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]},"
            + "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}";

    static JsonNode json(byte[] b) throws Exception {
        return RequestParser.mapper().readTree(b);
    }

    static List<byte[]> bytes(List<String> events) {
        List<byte[]> out = new ArrayList<>();
        for (String e : events) out.add(e.getBytes(StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void plainChatReplaysAsWellFormedSse() throws Exception {
        String content = "word ".repeat(120); // 600 chars: three content chunks
        byte[] plain = FakeProvider.chatJson("gpt-4o-mini", content).getBytes(StandardCharsets.UTF_8);
        List<byte[]> events = SseReplayer.replay(Endpoint.CHAT_COMPLETIONS, plain);
        // role, 3 content, finish, usage, [DONE]
        assertEquals(7, events.size());
        for (byte[] e : events) {
            String s = new String(e, StandardCharsets.UTF_8);
            assertTrue(s.startsWith("data: ") && s.endsWith("\n\n") && s.indexOf('\n') == s.length() - 2, s);
        }
        JsonNode role = RequestParser.mapper().readTree(SseEvents.data(events.get(0)));
        assertEquals("chat.completion.chunk", role.get("object").asText());
        assertEquals("assistant", role.at("/choices/0/delta/role").asText());
        assertEquals("", role.at("/choices/0/delta/content").asText());
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 3; i++) text.append(RequestParser.mapper().readTree(SseEvents.data(events.get(i))).at("/choices/0/delta/content").asText());
        assertEquals(content, text.toString());
        JsonNode finish = RequestParser.mapper().readTree(SseEvents.data(events.get(4)));
        assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
        assertTrue(SseEvents.isUsageOnly(events.get(5)));
        assertEquals(7, RequestParser.mapper().readTree(SseEvents.data(events.get(5))).at("/usage/completion_tokens").asInt());
        assertTrue(SseEvents.isDone(events.get(6)));
    }

    @Test
    void plainAndStreamRoundTrip() throws Exception {
        byte[] plain = FakeProvider.chatJson("gpt-4o-mini", "Paris, \\\"of course\\\" \\u00e9\\ud83d\\ude00").getBytes(StandardCharsets.UTF_8);
        byte[] back = StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS, SseReplayer.replay(Endpoint.CHAT_COMPLETIONS, plain));
        JsonNode a = json(plain);
        JsonNode b = json(back);
        assertEquals(a.at("/choices/0/message/content"), b.at("/choices/0/message/content"));
        assertEquals(a.get("usage"), b.get("usage"));
        assertEquals(a.get("id"), b.get("id"));
        assertEquals("chat.completion", b.get("object").asText());
        assertEquals("stop", b.at("/choices/0/finish_reason").asText());
    }

    @Test
    void streamAssemblesIntoPlain() throws Exception {
        List<byte[]> events = bytes(FakeProvider.chatStreamEvents("gpt-4o-mini", true, "Hel", "lo", " world"));
        JsonNode plain = json(StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS, events));
        assertEquals("Hello world", plain.at("/choices/0/message/content").asText());
        assertEquals("assistant", plain.at("/choices/0/message/role").asText());
        assertEquals("stop", plain.at("/choices/0/finish_reason").asText());
        assertEquals(3, plain.at("/usage/completion_tokens").asInt());
        assertEquals("chatcmpl-fake2", plain.get("id").asText());
    }

    @Test
    void toolCallsSurviveBothWays() throws Exception {
        List<byte[]> events = SseReplayer.replay(Endpoint.CHAT_COMPLETIONS, TOOL_ANSWER.getBytes(StandardCharsets.UTF_8));
        JsonNode back = json(StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS, events));
        JsonNode orig = json(TOOL_ANSWER.getBytes(StandardCharsets.UTF_8));
        assertEquals(orig.at("/choices/0/message/tool_calls"), back.at("/choices/0/message/tool_calls"));
        assertTrue(back.at("/choices/0/message/content").isNull());
        assertEquals("tool_calls", back.at("/choices/0/finish_reason").asText());
        assertEquals("fp_1", back.get("system_fingerprint").asText());

        // a provider's stream sends the arguments in fragments
        String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,";
        List<String> frag = List.of(
                head + "\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n",
                head + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\\\":\"}}]},\"finish_reason\":null}]}\n\n",
                head + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]},\"finish_reason\":null}]}\n\n",
                head + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
                "data: [DONE]\n\n");
        JsonNode p = json(StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS, bytes(frag)));
        assertEquals("call_9", p.at("/choices/0/message/tool_calls/0/id").asText());
        assertEquals("lookup", p.at("/choices/0/message/tool_calls/0/function/name").asText());
        assertEquals("{\"q\":1}", p.at("/choices/0/message/tool_calls/0/function/arguments").asText());
    }

    @Test
    void textCompletionsConvertToo() throws Exception {
        String plain = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-3.5-turbo-instruct\","
                + "\"choices\":[{\"text\":\"Once upon a time\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}";
        List<byte[]> events = SseReplayer.replay(Endpoint.COMPLETIONS, plain.getBytes(StandardCharsets.UTF_8));
        JsonNode first = RequestParser.mapper().readTree(SseEvents.data(events.get(0)));
        assertEquals("text_completion", first.get("object").asText());
        JsonNode back = json(StreamAssembler.assemble(Endpoint.COMPLETIONS, events));
        assertEquals("Once upon a time", back.at("/choices/0/text").asText());
        assertEquals("length", back.at("/choices/0/finish_reason").asText());
        assertEquals(7, back.at("/usage/total_tokens").asInt());
    }

    @Test
    void incompleteAnswersDoNotConvert() {
        List<String> ev = new ArrayList<>(FakeProvider.chatStreamEvents("m", false, "a"));
        ev.remove(ev.size() - 2); // the finish chunk
        assertNull(StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS, bytes(ev)));
        assertNull(StreamAssembler.assemble(Endpoint.CHAT_COMPLETIONS,
                bytes(List.of("data: {\"error\":{\"message\":\"boom\"}}\n\n"))));
        assertNull(StreamAssembler.assemble(Endpoint.EMBEDDINGS, bytes(FakeProvider.chatStreamEvents("m", false, "a"))));
        assertNull(SseReplayer.replay(Endpoint.CHAT_COMPLETIONS, "not json".getBytes(StandardCharsets.UTF_8)));
        assertNull(SseReplayer.replay(Endpoint.CHAT_COMPLETIONS, "{\"choices\":[]}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void piecesNeverSplitASurrogatePair() {
        String s = "a".repeat(SseReplayer.PIECE - 1) + "\ud83d\ude00" + "b";
        List<String> p = SseReplayer.pieces(s);
        assertEquals(s, String.join("", p));
        assertEquals(SseReplayer.PIECE - 1, p.get(0).length());
    }
}
