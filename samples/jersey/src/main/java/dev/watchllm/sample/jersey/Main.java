package dev.watchllm.sample.jersey;

import dev.watchllm.sample.cli.GatewayCli;

/**
 * WatchLLM as a JAX-RS feature in a Jersey application on embedded Jetty.
 *
 * <pre>
 * java -jar watchllm-jersey.jar [--config FILE] [--port N] [--host ADDR]
 * java -jar watchllm-jersey.jar keys create --project ID [--env dev]
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        new GatewayCli("watchllm-jersey.jar",
                (engine, host, port) -> new JerseyGateway(engine, host, port, GatewayCli.STOP_TIMEOUT_MS, 200).start()).main(args);
    }
}
