package dev.watchllm.sample.tomcat;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.sample.cli.SampleContract;

/** The contract through the Servlet filter on embedded Tomcat 11, as this sample mounts it. */
// Runs every spec of SampleContract (the shared GatewayContract); their assertions live there, one kit for every mounting/store.
class TomcatFilterContractTest extends SampleContract {
    TomcatFilterContractTest() {
        super("WatchLLM gateway on Tomcat");
    }

    @Override
    protected GatewayCli.Host start(WatchLlm engine, int maxThreads) throws Exception {
        return new TomcatGateway(engine, "127.0.0.1", 0, 1_000, maxThreads).start();
    }
}
