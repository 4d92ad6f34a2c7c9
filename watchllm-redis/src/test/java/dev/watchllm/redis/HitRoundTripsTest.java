package dev.watchllm.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.http.HttpResponseFor;
import com.openai.models.chat.completions.ChatCompletion;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.testing.FakeProvider;
import dev.watchllm.testing.TestClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a cache hit costs in Redis, watched with {@code MONITOR}: the rate-limit compare-and-swap
 * (Bucket4j: read, then swap), the month's count script and the cache read, one after the other;
 * no separate read for the rate-limit headers or the quota's early check. The usage record is
 * sent after the answer, without waiting, and is left out.
 */
class HitRoundTripsTest {
    final TestClock clock = new TestClock("2026-03-10T12:00:00Z");
    final String key = ApiKeys.mint("test");
    EmbeddedRedis redis;
    FakeProvider provider;
    Instance gw;

    @BeforeEach
    void start() throws Exception {
        redis = new EmbeddedRedis();
        provider = new FakeProvider();
        gw = new Instance(TwoEnginesTest.config(provider, key, redis.uri(), true), clock);
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        provider.close();
        redis.close();
    }

    @Test
    void aHitIsFourRoundTrips() throws Exception {
        gw.client(key).chat().completions().create(TwoEnginesTest.ask("the hit"));
        gw.nextUsage(); // stored
        gw.client(key).chat().completions().create(TwoEnginesTest.ask("the hit")); // warm: scripts loaded, month count learned
        try (Socket monitor = new Socket(InetAddress.getLoopbackAddress(), redis.port())) {
            monitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("+OK", in.readLine());

            HttpResponseFor<ChatCompletion> hit = gw.client(key).chat().completions().withRawResponse().create(TwoEnginesTest.ask("the hit"));
            assertEquals("HIT", hit.headers().values("X-WatchLLM-Cache").get(0));
            assertEquals("7", hit.headers().values("x-ratelimit-remaining-requests").get(0), "three of ten taken");
            // every command of the hit ran before its answer; a marker sent now comes after them
            redis.query(c -> c.sync().echo("end-of-hit".getBytes(StandardCharsets.US_ASCII)));
            List<String> commands = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.contains("end-of-hit"); line = in.readLine()) {
                // inside a script; the usage record; the marker connection's handshake
                if (line.contains("[0 lua]") || line.contains("watchllm:usage:") || !line.contains("watchllm:")) continue;
                commands.add(line.substring(line.indexOf(']') + 2));
            }
            long rateReads = commands.stream().filter(l -> l.startsWith("\"GET\" \"watchllm:rate:")).count();
            assertTrue(rateReads == 1 || rateReads == 2, "the swap's read, and a header read only when the last one is over a second old: "
                    + commands);
            assertEquals(1, commands.stream().filter(l -> l.startsWith("\"EVAL\"")).count(), commands.toString());
            assertEquals(1, commands.stream().filter(l -> l.startsWith("\"EVALSHA\"") && l.contains("watchllm:limit:")).count(), commands.toString());
            assertEquals(1, commands.stream().filter(l -> l.startsWith("\"GET\" \"watchllm:cache:")).count(), commands.toString());
            assertEquals(3 + rateReads, commands.size(), "nothing else: " + commands);
        }
    }
}
