package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/** The contract through WatchLlmFilter on embedded Jetty 12 (ee10), as the main sample mounts it. */
class JettyFilterContractTest extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        WatchLlm engine = WatchLlm.fromConfig(configFile);
        JettyGateway gw = new JettyGateway(engine, "127.0.0.1", 0, 5_000, maxRequestThreads).start();
        return new Mounted("http://127.0.0.1:" + gw.port(), "/", "WatchLLM gateway", () -> {
            gw.close();
            engine.close();
        });
    }
}
