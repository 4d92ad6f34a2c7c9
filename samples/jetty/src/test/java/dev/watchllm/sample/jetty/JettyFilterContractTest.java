package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.sample.cli.SampleContract;

/** The contract through the Servlet filter on embedded Jetty 12 (ee10), as this sample mounts it. */
// Runs every spec of SampleContract (the shared GatewayContract); their assertions live there, one kit for every mounting/store.
class JettyFilterContractTest extends SampleContract {
    JettyFilterContractTest() {
        super("WatchLLM gateway on Jetty");
    }

    @Override
    protected GatewayCli.Host start(WatchLlm engine, int maxThreads) throws Exception {
        return new JettyGateway(engine, "127.0.0.1", 0, 5_000, maxThreads, JettyGateway.Mount.FILTER).start();
    }
}
