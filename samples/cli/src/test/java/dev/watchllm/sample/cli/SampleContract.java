package dev.watchllm.sample.cli;

import dev.watchllm.WatchLlm;
import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Path;

/** The contract through a runnable sample's host, started as its command line starts it (engine from the config file). */
public abstract class SampleContract extends GatewayContract {
    private final String hostText;

    /** {@code hostText}: what the sample's own page at {@code /} says. */
    protected SampleContract(String hostText) {
        this.hostText = hostText;
    }

    /** Starts the sample's host on 127.0.0.1, a free port, with at most {@code maxThreads} request threads. */
    protected abstract GatewayCli.Host start(WatchLlm engine, int maxThreads) throws Exception;

    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        WatchLlm engine = WatchLlm.fromConfig(configFile);
        GatewayCli.Host host = start(engine, maxRequestThreads);
        return new Mounted("http://127.0.0.1:" + host.port(), "/", hostText, () -> {
            host.close();
            engine.close();
        });
    }
}
