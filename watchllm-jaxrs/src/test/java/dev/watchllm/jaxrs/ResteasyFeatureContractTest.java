package dev.watchllm.jaxrs;

import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/** The contract through WatchLlmFeature (built from a config path) on RESTEasy: non-blocking AsyncStreamingOutput streams. */
class ResteasyFeatureContractTest extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        return ResteasyOnJetty.start(new WatchLlmFeature(configFile), maxRequestThreads);
    }
}
