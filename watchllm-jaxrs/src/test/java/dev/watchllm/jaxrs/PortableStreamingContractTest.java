package dev.watchllm.jaxrs;

import dev.watchllm.WatchLlm;
import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/**
 * The contract through WatchLlmFeature's portable delivery (a queue-fed StreamingOutput on the
 * writer pool), the one used on runtimes other than Jersey and RESTEasy; hosted here on RESTEasy.
 */
// Runs every spec of GatewayContract; their assertions live there, one kit for every mounting/store.
class PortableStreamingContractTest extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        WatchLlmFeature feature = new WatchLlmFeature(WatchLlm.fromConfig(configFile), true, WatchLlmFeature.Runtime.PORTABLE);
        return ResteasyOnJetty.start(feature, maxRequestThreads);
    }
}
