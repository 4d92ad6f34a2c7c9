package dev.watchllm.sample.cli;

import dev.watchllm.WatchLlm;
import dev.watchllm.admin.AdminKeys;
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
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The command line every runnable sample shares; only the host server differs.
 *
 * <pre>
 * java -jar watchllm-SAMPLE.jar [--config FILE] [--port N] [--host ADDR]
 * java -jar watchllm-SAMPLE.jar keys create --project ID [--env dev]
 * java -jar watchllm-SAMPLE.jar usage export --project ID --month YYYY-MM [--format csv|jsonl] [--config FILE]
 * </pre>
 *
 * Config: {@code --config}, else {@code $WATCHLLM_CONFIG}, else {@code ./watchllm.yaml}, else the
 * samples' own. On start, every project without a key gets one minted, printed once, and only its
 * hash kept under {@code store.dir}. SIGTERM stops the host gracefully, then closes the engine.
 */
public final class GatewayCli {
    /** How long a graceful stop lets in-flight requests (streams too) finish. */
    public static final long STOP_TIMEOUT_MS = 30_000;

    /** A started host server with the engine mounted. */
    public interface Host extends AutoCloseable {
        int port();

        /** Blocks until the server has stopped. */
        void join() throws InterruptedException;

        /** Stops gracefully: no new requests, in-flight ones finish (up to {@link #STOP_TIMEOUT_MS}). */
        void stop() throws Exception;

        /** The same as {@link #stop()}; the engine is closed by whoever built it. */
        @Override
        default void close() throws Exception {
            stop();
        }
    }

    /** Starts a sample's host server serving {@code engine}. */
    @FunctionalInterface
    public interface HostStarter {
        Host start(WatchLlm engine, String host, int port) throws Exception;
    }

    private final String jar;
    private final HostStarter starter;

    /** {@code jar} names the sample in the usage text, e.g. {@code watchllm-tomcat.jar}. */
    public GatewayCli(String jar, HostStarter starter) {
        this.jar = jar;
        this.starter = starter;
    }

    /** Runs the command line and exits the JVM with its code when that is not 0. */
    public void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        if (code != 0) System.exit(code);
    }

    /** Runs the CLI; returns the exit code (serving blocks until the JVM is asked to stop). */
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length >= 1 && args[0].equals("keys")) {
            return keys(args, out, err);
        }
        if (args.length >= 1 && args[0].equals("usage")) {
            return UsageCommand.run(args, out, err);
        }
        Serving serving;
        try {
            serving = serve(args, out, err);
        } catch (Exit e) {
            return e.code;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                serving.close(); // graceful: in-flight requests finish, then the engine flushes
            } catch (Exception e) {
                err.println("Stop failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "watchllm-shutdown"));
        serving.host().join();
        stopped.await();
        return 0;
    }

    /** A started host and the engine it serves with; {@link #close} stops both, gracefully. */
    public record Serving(Host host, WatchLlm engine, SampleTelemetry telemetry) implements AutoCloseable {
        public int port() {
            return host.port();
        }

        @Override
        public void close() throws Exception {
            try {
                host.stop();
            } finally {
                engine.close();
                telemetry.close(); // flushes the last spans
            }
        }
    }

    /** Ends the CLI with an exit code, after the reason was printed. */
    public static final class Exit extends Exception {
        private static final long serialVersionUID = 1L;
        public final int code;

        Exit(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    /** Parses the serve arguments, loads the config, mints missing keys and starts the host. */
    public Serving serve(String[] args, PrintStream out, PrintStream err) throws Exception {
        String config = null;
        String host = "0.0.0.0";
        int port = 8080;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--config": config = value(args, ++i, "--config"); break;
                    case "--port": port = Integer.parseInt(value(args, ++i, "--port")); break;
                    case "--host": host = value(args, ++i, "--host"); break;
                    case "-h": case "--help": usage(out); throw new Exit(0);
                    default: throw new IllegalArgumentException("Unknown argument: " + args[i]);
                }
            }
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be between 0 and 65535");
        } catch (IllegalArgumentException e) {
            err.println(e instanceof NumberFormatException ? "--port needs a number" : e.getMessage());
            usage(err);
            throw new Exit(2);
        }
        WatchLlmConfig cfg;
        try {
            cfg = loadConfig(config, out);
        } catch (ConfigException e) {
            err.println("Config error: " + e.getMessage());
            throw new Exit(1);
        }
        SampleTelemetry telemetry = SampleTelemetry.fromEnvironment();
        WatchLlm engine = WatchLlm.builder().config(cfg).observer(telemetry.observer()).build();
        Host server;
        try {
            mintMissingKeys(engine, out);
            server = starter.start(engine, host, port);
        } catch (Exception e) {
            engine.close();
            telemetry.close();
            throw e;
        }
        out.println("WatchLLM listening on http://" + host + ":" + server.port() + cfg.prefix());
        if (cfg.admin().enabled()) out.println("Admin dashboard: http://" + host + ":" + server.port() + cfg.admin().prefix() + "/");
        out.flush();
        return new Serving(server, engine, telemetry);
    }

    /** The config: {@code explicit}, else {@code $WATCHLLM_CONFIG}, else {@code ./watchllm.yaml}, else the bundled one. */
    public static WatchLlmConfig loadConfig(String explicit, PrintStream out) {
        String file = explicit != null ? explicit : System.getenv("WATCHLLM_CONFIG");
        if (file == null && Files.exists(Path.of("watchllm.yaml"))) file = "watchllm.yaml";
        if (file != null) {
            out.println("Config: " + Path.of(file).toAbsolutePath());
            return ConfigLoader.load(Path.of(file));
        }
        out.println("Config: the sample's own watchllm.yaml (pass --config FILE to use yours)");
        try (InputStream in = GatewayCli.class.getResourceAsStream("/watchllm.yaml")) {
            return ConfigLoader.load(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read the bundled config: " + e.getMessage(), e);
        }
    }

    /** Projects with neither a config key nor a stored one get a key, shown this once. */
    public static void mintMissingKeys(WatchLlm engine, PrintStream out) {
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
            err.println("Usage: keys create --project ID [--env dev] | keys create --admin [--id ID]");
            return 2;
        }
        if (args.length >= 3 && args[2].equals("--admin")) return adminKey(args, out, err);
        String project = null;
        String env = "dev";
        try {
            for (int i = 2; i < args.length; i++) {
                switch (args[i]) {
                    case "--project": project = value(args, ++i, "--project"); break;
                    case "--env": env = value(args, ++i, "--env"); break;
                    default:
                        err.println("Unknown argument: " + args[i]);
                        return 2;
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
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

    /** {@code keys create --admin [--id ID]}: an admin key for the admin API and dashboard, shown once. */
    private static int adminKey(String[] args, PrintStream out, PrintStream err) {
        String id = "admin-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            for (int i = 3; i < args.length; i++) {
                if (!args[i].equals("--id")) throw new IllegalArgumentException("Unknown argument: " + args[i]);
                id = value(args, ++i, "--id");
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println("Usage: keys create --admin [--id ID]");
            return 2;
        }
        String key = AdminKeys.mint();
        out.println(key);
        out.println("# Add under admin: -> keys: in your watchllm.yaml (the key above is not stored anywhere);");
        out.println("# then open http://HOST:PORT/watchllm/#key=<the key> (the fragment never reaches the server):");
        out.println("- { id: " + id + ", sha256: \"" + ApiKeys.sha256Hex(key) + "\" }");
        return 0;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
        return args[i];
    }

    private void usage(PrintStream s) {
        s.println("Usage:");
        s.println("  java -jar " + jar + " [--config FILE] [--port N] [--host ADDR]");
        s.println("  java -jar " + jar + " keys create --project ID [--env dev]");
        s.println("  java -jar " + jar + " keys create --admin [--id ID]");
        s.println("  java -jar " + jar + " usage export --project ID --month YYYY-MM [--format csv|jsonl] [--config FILE]");
    }
}
