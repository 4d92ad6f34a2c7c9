package dev.watchllm.sample.jetty;

import dev.watchllm.WatchLlm;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.ConfigException;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The main sample: WatchLLM in embedded Jetty.
 *
 * <pre>
 * java -jar watchllm-jetty.jar [--config FILE] [--port N] [--host ADDR]
 * java -jar watchllm-jetty.jar keys create --project ID [--env dev]
 * java -jar watchllm-jetty.jar usage export --project ID --month YYYY-MM [--format csv|jsonl] [--config FILE]
 * java -jar watchllm-jetty.jar semantic eval FILE.jsonl [--threshold 0.80] [--verbose]
 * </pre>
 *
 * Config: {@code --config}, else {@code $WATCHLLM_CONFIG}, else {@code ./watchllm.yaml}, else the
 * sample's own. On start, every project without a key gets one minted, printed once, and only its
 * hash kept under {@code store.dir}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    /** Runs the CLI; returns the exit code (serving blocks until the JVM is asked to stop). */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length >= 1 && args[0].equals("keys")) {
            return keys(args, out, err);
        }
        if (args.length >= 1 && args[0].equals("usage")) {
            return UsageCommand.run(args, out, err);
        }
        // ---- semantic cache eval (watchllm-semantic) ----
        if (args.length >= 1 && args[0].equals("semantic")) {
            return dev.watchllm.semantic.cache.SemanticEval.cli(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        String config = null;
        String host = "0.0.0.0";
        int port = 8080;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config": config = value(args, ++i, "--config"); break;
                case "--port": port = Integer.parseInt(value(args, ++i, "--port")); break;
                case "--host": host = value(args, ++i, "--host"); break;
                case "-h": case "--help": usage(out); return 0;
                default:
                    err.println("Unknown argument: " + args[i]);
                    usage(err);
                    return 2;
            }
        }
        WatchLlmConfig cfg;
        try {
            cfg = loadConfig(config, out);
        } catch (ConfigException e) {
            err.println("Config error: " + e.getMessage());
            return 1;
        }
        WatchLlm engine = WatchLlm.builder().config(cfg).build();
        mintMissingKeys(engine, out);
        JettyGateway gw = new JettyGateway(engine, host, port, 30_000);
        gw.start();
        out.println("WatchLLM listening on http://" + host + ":" + gw.port() + cfg.prefix());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gw.close(); // graceful: in-flight requests finish
            } catch (Exception e) {
                err.println("Stop failed: " + e);
            } finally {
                engine.close();
                stopped.countDown();
            }
        }, "watchllm-shutdown"));
        gw.server().join();
        stopped.await();
        return 0;
    }

    static WatchLlmConfig loadConfig(String explicit, PrintStream out) {
        String file = explicit != null ? explicit : System.getenv("WATCHLLM_CONFIG");
        if (file == null && Files.exists(Path.of("watchllm.yaml"))) file = "watchllm.yaml";
        if (file != null) {
            out.println("Config: " + Path.of(file).toAbsolutePath());
            return ConfigLoader.load(Path.of(file));
        }
        out.println("Config: the sample's own watchllm.yaml (pass --config FILE to use yours)");
        try (InputStream in = Main.class.getResourceAsStream("/watchllm.yaml")) {
            return ConfigLoader.load(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read the bundled config: " + e.getMessage(), e);
        }
    }

    /** Projects with neither a config key nor a stored one get a key, shown this once. */
    static void mintMissingKeys(WatchLlm engine, PrintStream out) {
        for (ProjectConfig p : engine.config().projects()) {
            if (!p.keys().isEmpty() || !engine.keys().list(p.id()).isEmpty()) continue;
            String key = engine.mintKey(p.id(), "dev");
            out.println("Minted a key for project '" + p.id() + "' (shown once; only its SHA-256 is kept in "
                    + engine.config().store().dir() + "):");
            out.println("  " + key);
        }
    }

    private static int keys(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !args[1].equals("create")) {
            err.println("Usage: keys create --project ID [--env dev]");
            return 2;
        }
        String project = null;
        String env = "dev";
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--project": project = value(args, ++i, "--project"); break;
                case "--env": env = value(args, ++i, "--env"); break;
                default:
                    err.println("Unknown argument: " + args[i]);
                    return 2;
            }
        }
        if (project == null) {
            err.println("keys create: --project ID is required");
            return 2;
        }
        if (!ApiKeys.isEnv(env)) {
            err.println("keys create: --env must be lower-case letters, e.g. prod or dev");
            return 2;
        }
        String key = ApiKeys.mint(env);
        String id = project + "-" + env + "-" + UUID.randomUUID().toString().substring(0, 8);
        out.println(key);
        out.println("# Add under projects: - id: " + project + " -> keys: in your watchllm.yaml (the key above is not stored anywhere):");
        out.println("- { id: " + id + ", sha256: \"" + ApiKeys.sha256Hex(key) + "\" }");
        return 0;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    private static void usage(PrintStream s) {
        List<String> l = new ArrayList<>();
        l.add("Usage:");
        l.add("  java -jar watchllm-jetty.jar [--config FILE] [--port N] [--host ADDR]");
        l.add("  java -jar watchllm-jetty.jar keys create --project ID [--env dev]");
        l.add("  java -jar watchllm-jetty.jar usage export --project ID --month YYYY-MM [--format csv|jsonl] [--config FILE]");
        l.add("  java -jar watchllm-jetty.jar semantic eval FILE.jsonl [--threshold 0.80] [--verbose]");
        l.forEach(s::println);
    }
}
