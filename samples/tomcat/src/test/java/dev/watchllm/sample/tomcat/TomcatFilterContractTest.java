package dev.watchllm.sample.tomcat;

import dev.watchllm.WatchLlm;
import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/** The contract through WatchLlmFilter on embedded Tomcat 11, as this sample mounts it. */
class TomcatFilterContractTest extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        WatchLlm engine = WatchLlm.fromConfig(configFile);
        TomcatGateway gw = new TomcatGateway(engine, "127.0.0.1", 0, 1_000, maxRequestThreads).start();
        return new Mounted("http://127.0.0.1:" + gw.port(), "/", "WatchLLM gateway on Tomcat", () -> {
            gw.close();
            engine.close();
        });
    }
}
