package dev.watchllm.sample.jetty;

import dev.watchllm.sample.cli.GatewayCli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.watchllm.admin.AdminKeys;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.testing.FakeProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main sample serves the admin API and dashboard with its filter as it is: {@code keys create --admin}, then the config entry. */
class AdminSampleTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static String[] cli(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    static HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAdminKeyFromTheCliOpensTheAdminApiAndDashboardOfTheSample() throws Exception {
        String[] r = cli("keys", "create", "--admin", "--id", "ops");
        assertEquals("0", r[0], r[2]);
        List<String> lines = r[1].lines().collect(Collectors.toList());
        String adminKey = lines.get(0);
        assertTrue(AdminKeys.isWellFormed(adminKey), "line 1 is the key alone: " + adminKey);
        String entry = lines.stream().filter(l -> l.startsWith("- {")).findFirst().orElseThrow();
        assertEquals("- { id: ops, sha256: \"" + ApiKeys.sha256Hex(adminKey) + "\" }", entry);
        assertEquals("2", cli("keys", "create", "--admin", "--nope")[0]);

        String projectKey = ApiKeys.mint("prod");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (FakeProvider provider = new FakeProvider()) {
            Path cfg = dir.resolve("watchllm.yaml");
            Files.writeString(cfg, "upstreams:\n  - name: fake\n    baseUrl: " + provider.baseUrl() + "\n    apiKey: sk-fake\n"
                    + "projects:\n  - id: shop-prod\n    plan: pro\n    keys: [ { id: p1, sha256: \"" + ApiKeys.sha256Hex(projectKey) + "\" } ]\n"
                    + "admin:\n  keys:\n    " + entry + "\n"
                    + "store: { type: local, dir: " + dir.resolve("data") + " }\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GatewayCli.Serving s = Main.serve(new String[] {"--config", cfg.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err)) {
                String base = "http://127.0.0.1:" + port;
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("Admin dashboard: " + base + "/watchllm/"), out.toString());
                HttpResponse<String> page = get(base + "/watchllm/", null);
                assertEquals(200, page.statusCode());
                assertTrue(page.body().contains("<title>WatchLLM admin</title>"));
                assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().startsWith("default-src 'none'"));

                HttpResponse<String> projects = get(base + "/watchllm/api/projects", adminKey);
                assertEquals(200, projects.statusCode(), projects.body());
                JsonNode p = new ObjectMapper().readTree(projects.body()).get("data").get(0);
                assertEquals("shop-prod", p.get("id").asText());
                assertEquals(1, p.get("keyCount").asInt());
                assertEquals(403, get(base + "/watchllm/api/projects", projectKey).statusCode());
                assertEquals(401, get(base + "/watchllm/api/projects", null).statusCode());
                assertTrue(get(base + "/", null).body().startsWith("WatchLLM gateway"), "the host's own servlet keeps /");
                assertFalse(out.toString(StandardCharsets.UTF_8).contains(adminKey), "the admin key is never printed by the server");
            }
        }
    }
}
