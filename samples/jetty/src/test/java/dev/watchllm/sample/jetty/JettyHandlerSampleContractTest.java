package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.sample.cli.SampleContract;

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
}
