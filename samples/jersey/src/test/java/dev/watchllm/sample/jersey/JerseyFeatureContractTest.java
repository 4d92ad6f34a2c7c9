package dev.watchllm.sample.jersey;

import dev.watchllm.WatchLlm;
import dev.watchllm.sample.cli.GatewayCli;
import dev.watchllm.sample.cli.SampleContract;

/** The contract through WatchLlmFeature on Jersey 4 (Servlet container on Jetty 12 ee11), as this sample mounts it. */
// Runs every spec of SampleContract (the shared GatewayContract); their assertions live there, one kit for every mounting/store.
class JerseyFeatureContractTest extends SampleContract {
    JerseyFeatureContractTest() {
        super("WatchLLM gateway on Jersey");
    }

    @Override
    protected GatewayCli.Host start(WatchLlm engine, int maxThreads) throws Exception {
        return new JerseyGateway(engine, "127.0.0.1", 0, 5_000, maxThreads).start();
    }
}
