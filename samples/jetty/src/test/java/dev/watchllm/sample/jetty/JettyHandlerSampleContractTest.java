package dev.watchllm.sample.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.WatchLlm;
import dev.watchllm.jetty.WatchLlmHandler;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.sample.cli.SampleContract;
import dev.watchllm.tck.RawHttp;
import org.junit.jupiter.api.Test;

/** The contract through {@code WatchLlmHandler} in front of the sample's servlet context (the sample's default mount). */
// Runs every spec of SampleContract (the shared GatewayContract); their assertions live there.
class JettyHandlerSampleContractTest extends SampleContract {
    JettyHandlerSampleContractTest() {
        super("WatchLLM gateway on Jetty");
    }

    @Override
    protected GatewayCli.Host start(WatchLlm engine, int maxThreads) throws Exception {
        return new JettyGateway(engine, "127.0.0.1", 0, 5_000, maxThreads, JettyGateway.Mount.HANDLER).start();
    }

    @Test
    void theServerDoesNotAdvertiseItsVersion() {
        RawHttp.Answer a = http.send(RawHttp.request(url("/v1/models")).header("Authorization", "Bearer " + config.key).GET().build());
        assertEquals(200, a.status(), a.text());
        assertNull(a.header("Server"), "no Server header");
    }

    @Test
    void theHandlerServesOnTheSelectorUnlessTheSystemPropertySaysNo() throws Exception {
        try (WatchLlm engine = WatchLlm.fromConfig(config.file)) {
            JettyGateway byDefault = new JettyGateway(engine, "127.0.0.1", 0, 5_000, 200, JettyGateway.Mount.HANDLER);
            assertTrue(byDefault.server().getDescendant(WatchLlmHandler.class).servesOnSelector());
            int cores = Runtime.getRuntime().availableProcessors();
            assertEquals(Math.min(cores, 25), selectors(byDefault), "one selector per core");
            System.setProperty("watchllm.jetty.selector", "false");
            try {
                JettyGateway onPool = new JettyGateway(engine, "127.0.0.1", 0, 5_000, 200, JettyGateway.Mount.HANDLER);
                assertFalse(onPool.server().getDescendant(WatchLlmHandler.class).servesOnSelector());
                assertEquals(new org.eclipse.jetty.server.ServerConnector(new org.eclipse.jetty.server.Server()).getSelectorManager().getSelectorCount(),
                        selectors(onPool), "Jetty's default");
            } finally {
                System.clearProperty("watchllm.jetty.selector");
            }
        }
    }

    private static int selectors(JettyGateway g) {
        return ((org.eclipse.jetty.server.ServerConnector) g.server().getConnectors()[0]).getSelectorManager().getSelectorCount();
    }
}
