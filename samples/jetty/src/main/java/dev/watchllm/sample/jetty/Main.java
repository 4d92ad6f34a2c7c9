package dev.watchllm.sample.jetty;

import dev.watchllm.sample.cli.GatewayCli;

/**
 * The main sample: WatchLLM in embedded Jetty.
 *
 * <pre>
 * java -jar watchllm-jetty.jar [--config FILE] [--port N] [--host ADDR]
 * java -jar watchllm-jetty.jar keys create --project ID [--env dev]
 * </pre>
 *
 * See {@link GatewayCli} for the config lookup and key minting every sample shares.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        new GatewayCli("watchllm-jetty.jar",
                (engine, host, port) -> new JettyGateway(engine, host, port, GatewayCli.STOP_TIMEOUT_MS).start()).main(args);
    }
}
