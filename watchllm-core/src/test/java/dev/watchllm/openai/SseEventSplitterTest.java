package dev.watchllm.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseEventSplitterTest {
    static final List<String> EVENTS = List.of(
            "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
            "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\r\n\r\n",
            ": keep-alive comment\n\n",
            "event: message\r\ndata: line one\r\ndata: line two\r\n\r\n",
            "data: cr only\r\r",
            "id: 7\ndata: mixed endings\r\n\n",
            "data: lf then crlf\n\r\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n",
            "data: " + "x".repeat(3000) + "\n\n",
            "data: [DONE]\n\n");

    static byte[] all() {
        return String.join("", EVENTS).getBytes(StandardCharsets.UTF_8);
    }

    static List<String> split(byte[] stream, int[] cuts) {
        SseEventSplitter s = new SseEventSplitter();
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            s.feed(ByteBuffer.wrap(stream, from, cut - from), e -> out.add(new String(e, StandardCharsets.UTF_8)));
            from = cut;
        }
        s.feed(ByteBuffer.wrap(stream, from, stream.length - from), e -> out.add(new String(e, StandardCharsets.UTF_8)));
        assertEquals(0, s.pending(), "nothing left over");
        return out;
    }

    @Test
    void wholeStreamInOneSlice() {
        assertEquals(EVENTS, split(all(), new int[0]));
    }

    @Test
    void everySingleCutPoint() {
        byte[] b = all();
        for (int cut = 0; cut <= b.length; cut++) {
            assertEquals(EVENTS, split(b, new int[] {cut}), "cut at " + cut);
        }
    }

    @Test
    void byteByByte() {
        byte[] b = all();
        int[] cuts = new int[b.length];
        for (int i = 0; i < b.length; i++) cuts[i] = i;
        assertEquals(EVENTS, split(b, cuts));
    }

    @Test
    void randomSlices() {
        byte[] b = all();
        Random r = new Random(42);
        for (int round = 0; round < 500; round++) {
            List<Integer> cuts = new ArrayList<>();
            int p = 0;
            while (true) {
                p += r.nextInt(r.nextBoolean() ? 4 : 200);
                if (p >= b.length) break;
                cuts.add(p);
            }
            assertEquals(EVENTS, split(b, cuts.stream().mapToInt(Integer::intValue).toArray()), "round " + round);
        }
    }

    @Test
    void aTailWithoutItsBlankLineStaysPendingUntilDrained() {
        SseEventSplitter s = new SseEventSplitter();
        List<String> out = new ArrayList<>();
        s.feed(ByteBuffer.wrap("data: a\n\ndata: b\n".getBytes(StandardCharsets.UTF_8)), e -> out.add(new String(e, StandardCharsets.UTF_8)));
        assertEquals(List.of("data: a\n\n"), out);
        assertEquals("data: b\n".length(), s.pending());
        assertEquals("data: b\n", new String(s.drainPending(), StandardCharsets.UTF_8));
        assertEquals(0, s.pending());
        s.feed(ByteBuffer.wrap("data: c\n\n".getBytes(StandardCharsets.UTF_8)), e -> out.add(new String(e, StandardCharsets.UTF_8)));
        assertEquals(List.of("data: a\n\n", "data: c\n\n"), out, "usable after draining");
    }

    @Test
    void manyEventsInOneSliceAfterAPartialOne() {
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String e = "data: {\"n\":" + i + "}\n\n";
            expected.add(e);
            big.writeBytes(e.getBytes(StandardCharsets.UTF_8));
        }
        byte[] b = big.toByteArray();
        assertEquals(expected, split(b, new int[] {5, 6, b.length - 3}));
    }

    @Test
    void sseEventsHelpers() {
        assertEquals("line one\nline two", SseEvents.data("event: message\r\ndata: line one\r\ndata: line two\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(null, SseEvents.data(": comment\n\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, SseEvents.isDone("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, SseEvents.isDone("data:[DONE]\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(false, SseEvents.isDone("data: {\"text\":\"[DONE]\"}\n\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, SseEvents.isUsageOnly("data: {\"choices\": [ ],\"usage\":{}}\n\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(false, SseEvents.isUsageOnly("data: {\"choices\":[{\"index\":0}],\"usage\":null}\n\n".getBytes(StandardCharsets.UTF_8)));
    }
}
