package dev.watchllm.tck;

import dev.watchllm.auth.ApiKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The YAML config every mounting serves in the contract suite: upstream {@code fake} (the test's
 * provider) for every other model, upstream {@code down} (a closed port) for {@code down-*}, one project
 * {@code contract-proj} with {@link #key}, a 64 KiB body limit and one allowed CORS origin.
 */
public final class ContractConfig {
    public static final String PROVIDER_KEY = "sk-contract-provider";
    public static final String ORIGIN = "https://app.example";
    public static final long MAX_BODY = 64 * 1024;

    /** The project's WatchLLM key (only its hash is in the file). */
    public final String key = ApiKeys.mint("test");
    /** The config file. */
    public final Path file;

    public ContractConfig(Path dir, String providerBaseUrl) throws IOException {
        Path store = Files.createDirectories(dir.resolve("store"));
        String yaml = String.join("\n",
                "upstreams:",
                "  - name: down",
                "    baseUrl: http://127.0.0.1:" + closedPort() + "/v1",
                "    apiKey: sk-unused",
                "    models: [\"down-*\"]",
                "    timeout: 5s",
                "    maxRetries: 0",
                "  - name: fake",
                "    baseUrl: " + providerBaseUrl,
                "    apiKey: " + PROVIDER_KEY,
                "    models: [\"*\"]",
                "    timeout: 5s",
                "    maxRetries: 1",
                "    retryBackoff: 10ms",
                "projects:",
                "  - id: contract-proj",
                "    plan: pro",
                "    keys: [ { id: k1, sha256: \"" + ApiKeys.sha256Hex(key) + "\" } ]",
                "store: { type: local, dir: \"" + store.toString().replace("\\", "/") + "\" }",
                "http:",
                "  maxBodySize: " + MAX_BODY,
                "  cors: { allowedOrigins: [\"" + ORIGIN + "\"] }",
                "");
        file = dir.resolve("watchllm.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }

    /** A port nothing listens on: bound, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
