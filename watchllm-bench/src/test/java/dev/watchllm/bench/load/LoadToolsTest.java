package dev.watchllm.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load run's own tools, in seconds: the trivial provider answers as OpenAI does; the stream clients count right. */
class LoadToolsTest {
    @Test
    void providerAnswersPlainAndStreamedCompletions() throws Exception {
        try (TrivialProvider p = new TrivialProvider("127.0.0.1", 0, 4, 0)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(p.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"stream\":false,\"messages\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plain.statusCode());
            assertEquals("application/json", plain.headers().firstValue("content-type").orElse(""));
            assertTrue(plain.body().contains("\"object\":\"chat.completion\""), plain.body());

            HttpResponse<String> stream = http.send(HttpRequest.newBuilder(URI.create(p.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"gpt-4o-mini\",\"stream\" : true,\"stream_options\":{\"include_usage\": true},\"messages\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stream.statusCode());
            assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            String[] events = stream.body().split("\n\n");
            assertEquals(4 + 4, events.length, stream.body()); // role, 4 chunks, finish, usage, [DONE]
            assertTrue(events[6].contains("\"choices\":[]"), events[6]);
            assertEquals("data: [DONE]", events[7]);

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(p.baseUrl() + "/embeddings"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }

    @Test
    void streamFlagIsReadFromTheBodyNotFromStreamOptions() {
        byte[] name = "\"stream\"".getBytes(StandardCharsets.US_ASCII);
        assertTrue(TrivialProvider.flagIsTrue(buf("{\"stream\":true}"), name));
        assertTrue(TrivialProvider.flagIsTrue(buf("{\"a\":1, \"stream\" :\n true}"), name));
        assertFalse(TrivialProvider.flagIsTrue(buf("{\"stream\":false,\"stream_options\":{\"include_usage\":true}}"), name));
        assertFalse(TrivialProvider.flagIsTrue(buf("{\"stream_x\":true}"), name));
        assertFalse(TrivialProvider.flagIsTrue(buf("{\"stream\":tru"), name));
    }

    @Test
    void streamClientsMeasureGoodStreamsAndCountBadOnes() throws Exception {
        try (TrivialProvider p = new TrivialProvider("127.0.0.1", 0, 3, 5)) {
            String url = p.baseUrl() + "/chat/completions";
            FirstByteProbe.Result probe = FirstByteProbe.run(url, List.of(), "gpt-4o-mini", 20, 5);
            assertEquals(0, probe.errors(), probe.firstProblem());
            assertTrue(probe.firstByteP50() > 0 && probe.totalP50() >= probe.firstByteP50() + 4_000, probe.toString());

            // role, 3 chunks, finish, [DONE]: 6 events, 5 ms apart
            ConcurrentStreams.Result ok = ConcurrentStreams.run(url, List.of(), "gpt-4o-mini", 50, 100, 6, 30);
            assertEquals(50, ok.ok(), ok.problems().toString());
            assertEquals(0, ok.errors());
            assertTrue(ok.p50Ms() >= 25, "streams lasted " + ok.p50Ms() + " ms");

            ConcurrentStreams.Result wrongCount = ConcurrentStreams.run(url, List.of(), "gpt-4o-mini", 5, 0, 7, 30);
            assertEquals(5, wrongCount.errors());
            assertEquals(5, wrongCount.problems().get("expected 7 events"));

            ConcurrentStreams.Result notFound = ConcurrentStreams.run(p.baseUrl() + "/nothing", List.of(), "gpt-4o-mini", 3, 0, 0, 30);
            assertEquals(3, notFound.problems().get("status 404"));
        }
    }

    private static ByteBuffer buf(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
