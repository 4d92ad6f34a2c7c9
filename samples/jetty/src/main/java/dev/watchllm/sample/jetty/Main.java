package dev.watchllm.sample.jetty;

import dev.watchllm.sample.cli.GatewayCli;
import java.io.PrintStream;

/**
 * The main sample: WatchLLM in embedded Jetty.
 *
 * <pre>
 * java -jar watchllm-jetty.jar [--config FILE] [--port N] [--host ADDR]
 * java -jar watchllm-jetty.jar keys create --project ID [--env dev]
 * java -jar watchllm-jetty.jar keys create --admin [--id ID]
 * java -jar watchllm-jetty.jar usage export --project ID --month YYYY-MM [--format csv|jsonl]
 * java -jar watchllm-jetty.jar semantic eval FILE.jsonl [--threshold 0.80] [--verbose]
 * </pre>
 *
 * See {@link GatewayCli} for the config lookup and key minting every sample shares.
 */
public final class Main {
    static final GatewayCli CLI = new GatewayCli("watchllm-jetty.jar",
            (engine, host, port) -> new JettyGateway(engine, host, port, GatewayCli.STOP_TIMEOUT_MS).start());

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        // ---- semantic cache eval (watchllm-semantic, a dependency of this sample only) ----
        if (args.length >= 1 && args[0].equals("semantic")) {
            return dev.watchllm.semantic.cache.SemanticEval.cli(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        return CLI.run(args, out, err);
    }

    static GatewayCli.Serving serve(String[] args, PrintStream out, PrintStream err) throws Exception {
        return CLI.serve(args, out, err);
    }
}
