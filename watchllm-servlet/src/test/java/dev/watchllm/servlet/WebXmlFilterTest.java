package dev.watchllm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.watchllm.auth.ApiKeys;
import dev.watchllm.testing.FakeProvider;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WatchLlmFilter as web.xml declares it: no-arg constructor, init-params, system properties, a context path. */
class WebXmlFilterTest {
    @TempDir
    Path dir;
    FakeProvider provider;
    Server server;
    final String key = ApiKeys.mint("test");

    @BeforeEach
    void start() throws Exception {
        provider = new FakeProvider();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.stop();
        provider.close();
        System.clearProperty("watchllm.config");
        System.clearProperty("watchllm.maxBodySize");
    }

    Path config() throws Exception {
        Path f = dir.resolve("watchllm.yaml");
        Files.writeString(f, "upstreams:\n  - name: fake\n    baseUrl: " + provider.baseUrl() + "\n"
                + "projects:\n  - id: web\n    keys: [ { id: w1, sha256: \"" + ApiKeys.sha256Hex(key) + "\" } ]\n"
                + "store: { type: local, dir: " + dir.resolve("data") + " }\n");
        return f;
    }

    int start(Map<String, String> initParams, boolean async) throws Exception {
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/app");
        FilterHolder fh = ctx.addFilter(WatchLlmFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
        fh.setAsyncSupported(async);
        fh.setInitParameters(initParams);
        ctx.addServlet(Gateway.HostServlet.class, "/");
        server.setHandler(ctx);
        server.start();
        return c.getLocalPort();
    }

    HttpResponse<String> chat(int port, String path, String body) throws Exception {
        return Http.send(Http.post("http://127.0.0.1:" + port + path, key, body.getBytes(StandardCharsets.UTF_8)).build());
    }

    @Test
    void initParamsConfigureTheFilterBelowTheContextPath() throws Exception {
        int port = start(Map.of("config", config().toString(), "prefix", "/llm/v1"), true);
        HttpResponse<String> r = chat(port, "/app/llm/v1/chat/completions", Http.CHAT);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("Hello from the fake provider."));
        assertEquals("fake", r.headers().firstValue("X-WatchLLM-Provider").orElseThrow());
        assertEquals("MISS", r.headers().firstValue("X-WatchLLM-Cache").orElseThrow());
        assertTrue(r.headers().firstValue("X-WatchLLM-Latency-Ms").orElseThrow().matches("\\d+"));
        assertTrue(r.headers().firstValue("X-Request-Id").orElseThrow().matches("req_[0-9a-f]{32}"));
        assertEquals("/v1/chat/completions", provider.takeRequest().path());

        r = chat(port, "/app/v1/chat/completions", Http.CHAT);
        assertEquals("host:POST /app/v1/chat/completions", r.body(), "outside the configured prefix: the host's chain");
    }

    @Test
    void systemPropertiesWhenThereAreNoInitParams() throws Exception {
        System.setProperty("watchllm.config", config().toString());
        System.setProperty("watchllm.maxBodySize", "2KiB");
        int port = start(Map.of(), true);
        assertEquals(200, chat(port, "/app/v1/chat/completions", Http.CHAT).statusCode());
        String big = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(3000) + "\"}]}";
        HttpResponse<String> r = chat(port, "/app/v1/chat/completions", big);
        assertEquals(413, r.statusCode());
        assertEquals("request_too_large", Http.error(r.body()).get("code").asText());
        assertEquals(1, provider.requestCount());
    }

    @Test
    void initParamsWinOverSystemProperties() throws Exception {
        System.setProperty("watchllm.config", dir.resolve("not-this-one.yaml").toString());
        System.setProperty("watchllm.maxBodySize", "2KiB");
        int port = start(Map.of("config", config().toString(), "maxBodySize", "8KiB"), true);
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(3000) + "\"}]}";
        assertEquals(200, chat(port, "/app/v1/chat/completions", body).statusCode());
    }

    @Test
    void withoutAConfigTheFilterRefusesToStart() {
        assumeTrue(System.getenv("WATCHLLM_CONFIG") == null, "WATCHLLM_CONFIG is set in this environment");
        Exception e = assertThrows(Exception.class, () -> start(Map.of(), true));
        String all = messages(e);
        assertTrue(all.contains("init-param 'config'") && all.contains("watchllm.config") && all.contains("WATCHLLM_CONFIG"), all);
    }

    @Test
    void aBadConfigFileRefusesToStartNamingTheField() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "upstreams:\n  - name: x\n    baseUrl: ftp://nope\n");
        Exception e = assertThrows(Exception.class, () -> start(Map.of("config", f.toString()), true));
        assertTrue(messages(e).contains("upstreams[0].baseUrl"), messages(e));
    }

    @Test
    void notAsyncSupportedIsAClearError() throws Exception {
        int port = start(Map.of("config", config().toString()), false);
        HttpResponse<String> r = chat(port, "/app/v1/chat/completions", Http.CHAT);
        assertEquals(500, r.statusCode());
        assertTrue(Http.error(r.body()).get("message").asText().contains("async-supported"));
        assertEquals(0, provider.requestCount());
        HttpResponse<String> host = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app/x")).build());
        assertEquals("host:GET /app/x", host.body(), "the host is unaffected");
    }

    static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c).append(" | ");
        for (Throwable s : t.getSuppressed()) sb.append(messages(s));
        return sb.toString();
    }
}
