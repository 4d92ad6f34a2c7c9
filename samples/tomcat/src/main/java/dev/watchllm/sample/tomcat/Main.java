package dev.watchllm.sample.tomcat;

import dev.watchllm.sample.cli.GatewayCli;

/**
 * WatchLLM as a Servlet filter in embedded Tomcat.
 *
 * <pre>
 * java -jar watchllm-tomcat.jar [--config FILE] [--port N] [--host ADDR]
 * java -jar watchllm-tomcat.jar keys create --project ID [--env dev]
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        new GatewayCli("watchllm-tomcat.jar",
                (engine, host, port) -> new TomcatGateway(engine, host, port, GatewayCli.STOP_TIMEOUT_MS, 200).start()).main(args);
    }
}
