package dev.watchllm.sample.jersey;

import dev.watchllm.WatchLlm;
import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/** The contract through WatchLlmFeature on Jersey 4 (Servlet container on Jetty 12 ee11), as this sample mounts it. */
class JerseyFeatureContractTest extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        WatchLlm engine = WatchLlm.fromConfig(configFile);
        JerseyGateway gw = new JerseyGateway(engine, "127.0.0.1", 0, 5_000, maxRequestThreads).start();
        return new Mounted("http://127.0.0.1:" + gw.port(), "/", "WatchLLM gateway on Jersey", () -> {
            gw.close();
            engine.close();
        });
    }
}
