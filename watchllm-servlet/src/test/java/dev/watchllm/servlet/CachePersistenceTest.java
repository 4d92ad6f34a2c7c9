package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.cache.EhcacheResponseCache;
import dev.watchllm.testing.FakeProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The disk tier: entries survive a restart on the same {@code store.dir}; a corrupt store never breaks requests. */
class CachePersistenceTest {
    @TempDir
    Path storeDir;

    static HttpResponseFor<ChatCompletion> ask(Gateway gw, String text) {
        return gw.client().chat().completions().withRawResponse()
                .create(ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage(text).build());
    }

    static String cache(HttpResponseFor<?> r) {
        return r.headers().values("X-WatchLLM-Cache").get(0);
    }

    @Test
    void entriesSurviveARestart() throws Exception {
        try (Gateway first = new Gateway(b -> b, Clock.systemUTC(), storeDir)) {
            first.provider.enqueue(FakeProvider.chat("Remembered across restarts."));
            assertEquals("MISS", cache(ask(first, "Will you remember?")));
        }
        try (Gateway second = new Gateway(b -> b, Clock.systemUTC(), storeDir)) {
            HttpResponseFor<ChatCompletion> r = ask(second, "Will you remember?");
            assertEquals("HIT", cache(r));
            assertEquals("Remembered across restarts.", r.parse().choices().get(0).message().content().orElseThrow());
            assertEquals("fake", r.headers().values("X-WatchLLM-Provider").get(0));
            assertEquals(0, second.provider.requestCount(), "the new engine's provider was never asked");
        }
    }

    @Test
    void aCorruptStoreIsLoggedAndReplacedByAnEmptyOne() throws Exception {
        try (Gateway first = new Gateway(b -> b, Clock.systemUTC(), storeDir)) {
            assertEquals("MISS", cache(ask(first, "Stored, then damaged")));
        }
        int damaged = 0;
        try (var files = Files.walk(storeDir.resolve("cache"))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Files.write(f, "not what ehcache wrote".getBytes(StandardCharsets.US_ASCII));
                damaged++;
            }
        }
        assertTrue(damaged > 0);
        Logger log = (Logger) LoggerFactory.getLogger(EhcacheResponseCache.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try (Gateway second = new Gateway(b -> b, Clock.systemUTC(), storeDir)) {
            assertTrue(seen.list.stream().anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("corrupt")),
                    "the damage is logged");
            HttpResponseFor<ChatCompletion> r = ask(second, "Stored, then damaged");
            assertEquals(200, r.statusCode());
            assertEquals("MISS", cache(r), "the store started empty");
            assertEquals("HIT", cache(ask(second, "Stored, then damaged")), "and works");
        } finally {
            log.detachAppender(seen);
        }
    }
}
