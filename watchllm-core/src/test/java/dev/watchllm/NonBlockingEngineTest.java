package dev.watchllm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.cache.ResponseCache;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.limit.LocalRateLimitStore;
import dev.watchllm.metering.LocalUsageLedger;
import dev.watchllm.observe.CallObservation;
import dev.watchllm.observe.CallStart;
import dev.watchllm.observe.ProxyObserver;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the engine tells event-loop adapters they may call it on their event loop. */
class NonBlockingEngineTest {
    @TempDir
    Path dir;

    private WatchLlmConfig config() {
        String yaml = String.join("\n",
                "upstreams: [ { name: p, baseUrl: \"http://127.0.0.1:9/v1\", apiKey: sk-x, models: [\"*\"] } ]",
                "projects: [ { id: a, keys: [ { id: k, sha256: \"" + "c".repeat(64) + "\" } ] } ]",
                "store: { type: local, dir: \"" + dir.toString().replace("\\", "/") + "\" }",
                "admin: { prefix: /watchllm, keys: [ { id: ops, sha256: \"" + "d".repeat(64) + "\" } ] }",
                "");
        return ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), n -> null).build();
    }

    private boolean nonBlocking(UnaryOperator<WatchLlm.Builder> setUp) {
        try (WatchLlm engine = setUp.apply(WatchLlm.builder().config(config())).build()) {
            return engine.nonBlocking();
        }
    }

    /** An observer that keeps the default: it may block. */
    private static final ProxyObserver SYNCHRONOUS = start -> CallObservation.NONE;

    @Test
    void withItsOwnLocalStoresAndNoObserverTheEngineNeverBlocks() {
        assertTrue(nonBlocking(b -> b));
        assertTrue(nonBlocking(b -> b.observer(ProxyObserver.NONE)));
        assertTrue(nonBlocking(b -> b.observer(new ProxyObserver() {
            @Override
            public CallObservation start(CallStart start) {
                return CallObservation.NONE;
            }

            @Override
            public boolean mayBlock() {
                return false;
            }
        })));
    }

    @Test
    void anythingGivenFromOutsideIsAssumedToBlock() {
        assertFalse(nonBlocking(b -> b.observer(SYNCHRONOUS)));
        assertFalse(nonBlocking(b -> b.responseCache(ResponseCache.NONE)));
        assertFalse(nonBlocking(b -> b.usageLedger(new LocalUsageLedger(dir.resolve("other")))));
        assertFalse(nonBlocking(b -> b.rateLimitStore(new LocalRateLimitStore(java.time.Clock.systemUTC(), dir.resolve("other")))));
        assertFalse(nonBlocking(b -> b.keyStore(new dev.watchllm.auth.LocalKeyStore(dir.resolve("keys")))));
    }

    @Test
    void adminPathsAlwaysGoToAThreadThatMayBlock() {
        try (WatchLlm engine = WatchLlm.builder().config(config()).build()) {
            assertTrue(engine.handlesWithoutBlocking("/v1/chat/completions"));
            assertTrue(engine.handlesWithoutBlocking("/v1/models"));
            assertTrue(engine.owns("/watchllm/api/projects"));
            assertFalse(engine.handlesWithoutBlocking("/watchllm/api/projects"));
            assertFalse(engine.handlesWithoutBlocking("/watchllm"));
            assertFalse(engine.handlesWithoutBlocking("/elsewhere"));
        }
        try (WatchLlm engine = WatchLlm.builder().config(config()).observer(SYNCHRONOUS).build()) {
            assertFalse(engine.handlesWithoutBlocking("/v1/chat/completions"));
        }
    }
}
