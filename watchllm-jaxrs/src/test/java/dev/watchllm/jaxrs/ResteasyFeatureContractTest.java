package dev.watchllm.jaxrs;

import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/** The contract through WatchLlmFeature (built from a config path) on RESTEasy: non-blocking AsyncStreamingOutput streams. */
// Runs every spec of GatewayContract; their assertions live there, one kit for every mounting/store.
class ResteasyFeatureContractTest extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        return ResteasyOnJetty.start(new WatchLlmFeature(configFile), maxRequestThreads);
    }
}
