package dev.watchllm.servlet;

import static dev.watchllm.servlet.AdminFixture.ADMIN_KEY;
import static dev.watchllm.servlet.AdminFixture.api;
import static dev.watchllm.servlet.AdminFixture.chat;
import static dev.watchllm.servlet.AdminFixture.get;
import static dev.watchllm.servlet.AdminFixture.ok;
import static dev.watchllm.servlet.AdminFixture.project;
import static dev.watchllm.servlet.AdminFixture.usd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.admin.AdminKeys;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.metering.UsageRecord;
import dev.watchllm.testing.TestClock;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The admin API over real HTTP through WatchLlmFilter on Jetty: every route, and who may call it. */
class AdminApiTest {
    static final String[][] ROUTES = {
            {"GET", "/projects", null},
            {"GET", "/projects/test-proj/usage", null},
            {"GET", "/projects/test-proj/keys", null},
            {"POST", "/projects/test-proj/keys", "{\"env\":\"dev\"}"},
            {"DELETE", "/keys/k1", null},
            {"GET", "/no-such-route", null},
    };

    final TestClock clock = new TestClock("2026-03-10T14:20:00Z");
    Gateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = AdminFixture.gateway(null, clock);
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
    }

    JsonNode error(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = Http.error(r.body());
        assertEquals(code, e.get("code").asText(), r.body());
        return e;
    }

    @Test
    void everyRouteRefusesCallsWithoutAnAdminKeyAndChangesNothing() throws Exception {
        String unknownAdminKey = AdminKeys.mint();
        for (String[] route : ROUTES) {
            String what = route[0] + " " + route[1];
            HttpResponse<String> none = api(gw, route[0], route[1], null, route[2]);
            error(none, 401, "missing_api_key");
            assertEquals("Bearer realm=\"watchllm-admin\"", none.headers().firstValue("WWW-Authenticate").orElse(null), what);
            error(api(gw, route[0], route[1], gw.key, route[2]), 403, "permission_denied");
            error(api(gw, route[0], route[1], gw.otherKey, route[2]), 403, "permission_denied");
            error(api(gw, route[0], route[1], unknownAdminKey, route[2]), 401, "invalid_api_key");
            error(api(gw, route[0], route[1], "not-a-key", route[2]), 401, "invalid_api_key");
            // only the Bearer header counts: not Basic, not a cookie, not a query parameter
            HttpRequest.Builder basic = HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/api" + route[1]))
                    .method(route[0], HttpRequest.BodyPublishers.noBody()).header("Authorization", "Basic " + ADMIN_KEY);
            error(Http.send(basic.build()), 401, "missing_api_key");
            HttpRequest.Builder cookie = HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/api" + route[1] + "?key=" + ADMIN_KEY))
                    .method(route[0], HttpRequest.BodyPublishers.noBody()).header("Cookie", "Authorization=Bearer%20" + ADMIN_KEY
                            + "; key=" + ADMIN_KEY);
            error(Http.send(cookie.build()), 401, "missing_api_key");
        }
        // nothing was minted or revoked by the refused calls
        JsonNode keys = get(gw, "/projects/test-proj/keys").get("data");
        assertEquals(1, keys.size(), keys.toString());
        assertFalse(keys.get(0).get("revoked").asBoolean());
        assertEquals(200, chat(gw, gw.key));
    }

    @Test
    void adminAndProjectKeysAreSeparateNamespaces() throws Exception {
        HttpResponse<String> r = Http.send(Http.post(gw.baseUrl() + "/chat/completions", ADMIN_KEY, Http.CHAT.getBytes()).build());
        error(r, 401, "invalid_api_key");
        assertEquals(0, gw.provider.requestCount(), "an admin key never reaches the provider");
        HttpRequest usage = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/watchllm/usage"))
                .header("Authorization", "Bearer " + ADMIN_KEY).build();
        error(Http.send(usage), 401, "invalid_api_key");
    }

    @Test
    void projectsShowTheMonthSoFarPerProject() throws Exception {
        assertEquals(200, chat(gw, gw.key));
        assertEquals(200, chat(gw, gw.key));
        assertEquals(200, chat(gw, gw.otherKey));
        // the exact cache is not on this branch: a hit is recorded in the engine's ledger as the cache settles one
        gw.engine.usage().add(new UsageRecord(clock.instant(), "req-hit", "test-proj", "k1", "/chat/completions", "gpt-4o-mini",
                "gpt-4o-mini", null, false, "HIT", Double.NaN, 12, 0, 7, 0, false, false, 0, 6, 0, 200));
        JsonNode list = get(gw, "/projects");
        assertEquals("list", list.get("object").asText());
        assertEquals("2026-03", list.get("period").asText());
        assertEquals(2, list.get("data").size());

        JsonNode p = project(gw, "test-proj");
        assertEquals("pro", p.get("plan").asText());
        assertEquals(3, p.get("requests").asLong());
        assertEquals(1, p.get("cacheHits").asLong());
        assertEquals("0.3333", usd(p, "cacheHitRate"));
        // 12 prompt tokens * $0.15/1M + 7 completion tokens * $0.60/1M = $0.000006 per call; the hit cost nothing
        assertEquals("0.000012", usd(p, "costUsd"));
        assertEquals("0.000018", usd(p, "potentialCostUsd"));
        assertEquals("0.000006", usd(p, "savingsUsd"));
        assertEquals(1_000_000, p.get("requestsPerMonth").asLong());
        assertEquals("0.05", usd(p, "budgetUsd"));
        assertEquals("0.000012", usd(p, "budgetSpentUsd"));
        assertEquals("0.049988", usd(p, "budgetLeftUsd"));
        assertEquals(1, p.get("keyCount").asInt());

        JsonNode o = project(gw, "other-proj");
        assertEquals("starter", o.get("plan").asText());
        assertEquals(1, o.get("requests").asLong());
        assertEquals("0", usd(o, "cacheHitRate"));
        assertEquals("0.000006", usd(o, "costUsd"));
        assertTrue(o.get("budgetUsd").isNull());
        assertTrue(o.get("budgetLeftUsd").isNull());
        assertEquals(1, o.get("keyCount").asInt());

        // the month so far: a new month starts from zero
        clock.set(Instant.parse("2026-04-01T00:00:01Z"));
        JsonNode april = project(gw, "test-proj");
        assertEquals(0, april.get("requests").asLong());
        assertEquals("0.05", usd(april, "budgetLeftUsd"), "a new month's budget is whole again");
    }

    @Test
    void usageIsATimeSeriesByHourOrDay() throws Exception {
        clock.set(Instant.parse("2026-03-09T23:30:00Z"));
        chat(gw, gw.key);
        clock.advance(Duration.ofHours(1)); // 2026-03-10T00:30
        chat(gw, gw.key);
        chat(gw, gw.key);
        chat(gw, gw.otherKey); // another project's usage never shows in this one's series
        clock.advance(Duration.ofHours(2)); // 02:30
        chat(gw, gw.key);

        JsonNode h = get(gw, "/projects/test-proj/usage?bucket=hour&from=2026-03-09T22:00:00Z&to=2026-03-10T04:00:00Z");
        assertEquals("hour", h.get("bucket").asText());
        assertEquals("2026-03-09T22:00:00Z", h.get("from").asText());
        assertEquals("2026-03-10T04:00:00Z", h.get("to").asText());
        assertEquals(List.of(0L, 1L, 2L, 0L, 1L, 0L), field(h, "requests"));
        assertEquals("2026-03-10T00:00:00Z", h.get("data").get(2).get("start").asText());
        assertEquals("0.000012", usd(h.get("data").get(2), "costUsd"));

        // instants off the hour are widened to whole buckets; %-encoded like a browser sends them
        JsonNode widened = get(gw, "/projects/test-proj/usage?bucket=hour&from=2026-03-09T23%3A59%3A00Z&to=2026-03-10T00%3A01%3A00Z");
        assertEquals(List.of(1L, 2L), field(widened, "requests"));

        JsonNode d = get(gw, "/projects/test-proj/usage?bucket=day&from=2026-03-08&to=2026-03-11");
        assertEquals(List.of(0L, 1L, 3L), field(d, "requests"));
        assertEquals("2026-03-10T00:00:00Z", d.get("data").get(2).get("start").asText());
        assertEquals("0.000018", usd(d.get("data").get(2), "costUsd"));

        JsonNode other = get(gw, "/projects/other-proj/usage?bucket=day&from=2026-03-10&to=2026-03-11");
        assertEquals(List.of(1L), field(other, "requests"));

        // defaults: the last 24 hours (to the end of the current hour), the last 30 days (today included)
        JsonNode lastDay = get(gw, "/projects/test-proj/usage?bucket=hour");
        assertEquals(24, lastDay.get("data").size());
        assertEquals("2026-03-10T03:00:00Z", lastDay.get("to").asText());
        assertEquals(4, field(lastDay, "requests").stream().mapToLong(Long::longValue).sum());
        JsonNode month = get(gw, "/projects/test-proj/usage");
        assertEquals("day", month.get("bucket").asText());
        assertEquals(30, month.get("data").size());
        assertEquals("2026-03-11T00:00:00Z", month.get("to").asText());
        assertEquals(4, field(month, "requests").stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void badSeriesQueriesAreRefusedNamingTheParameter() throws Exception {
        String[][] bad = {
                {"bucket=minute", "bucket"},
                {"from=yesterday", "from"},
                {"to=2026-13-01", "to"},
                {"from=2026-03-10&to=2026-03-09", "from"},
                {"from=2026-03-10&to=2026-03-10", "from"},
                {"bucket=hour&from=2026-01-01&to=2026-03-01", "from"},
                {"bucket=day&from=2024-01-01&to=2026-03-01", "from"},
        };
        for (String[] q : bad) {
            HttpResponse<String> r = api(gw, "GET", "/projects/test-proj/usage?" + q[0], ADMIN_KEY, null);
            JsonNode e = error(r, 400, "invalid_request_error");
            assertEquals(q[1], e.get("param").asText(), q[0]);
        }
        error(api(gw, "GET", "/projects/nope/usage", ADMIN_KEY, null), 404, "project_not_found");
        error(api(gw, "GET", "/projects/nope/keys", ADMIN_KEY, null), 404, "project_not_found");
        error(api(gw, "POST", "/projects/nope/keys", ADMIN_KEY, "{}"), 404, "project_not_found");
        error(api(gw, "GET", "/projects/test-proj", ADMIN_KEY, null), 404, "not_found");
        error(api(gw, "GET", "", ADMIN_KEY, null), 404, "not_found");
        HttpResponse<String> put = api(gw, "PUT", "/projects", ADMIN_KEY, "{}");
        error(put, 405, "method_not_allowed");
        assertEquals("GET", put.headers().firstValue("Allow").orElseThrow());
        error(api(gw, "DELETE", "/projects/test-proj/keys", ADMIN_KEY, null), 405, "method_not_allowed");
        error(api(gw, "GET", "/keys/k1", ADMIN_KEY, null), 405, "method_not_allowed");
    }

    @Test
    void keysAreMintedListedAndRevokedAtOnce() throws Exception {
        JsonNode minted = ok(gw, 201, "POST", "/projects/test-proj/keys", "{\"env\":\"prod\"}");
        String key = minted.get("key").asText();
        String id = minted.get("id").asText();
        assertTrue(ApiKeys.isWellFormed(key) && key.startsWith("lgw_prod_"), key);
        assertTrue(id.startsWith("test-proj-prod-"), id);
        assertEquals("2026-03-10T14:20:00Z", minted.get("createdAt").asText());
        assertEquals(ApiKeys.mask(key), minted.get("masked").asText());

        clock.advance(Duration.ofSeconds(30));
        assertEquals(200, chat(gw, key), "a minted key works at once");
        assertEquals(2, project(gw, "test-proj").get("keyCount").asInt());

        HttpResponse<String> listed = api(gw, "GET", "/projects/test-proj/keys", ADMIN_KEY, null);
        assertFalse(listed.body().contains(key.substring("lgw_prod_".length() + 4)), "a listed key is masked: " + listed.body());
        JsonNode keys = AdminFixture.JSON.readTree(listed.body()).get("data");
        assertEquals(2, keys.size());
        JsonNode k1 = keys.get(0);
        assertEquals("k1", k1.get("id").asText());
        assertEquals("config", k1.get("source").asText());
        assertEquals("lgw_…", k1.get("masked").asText());
        assertTrue(k1.get("createdAt").isNull());
        assertTrue(k1.get("lastUsedAt").isNull(), "k1 was not used yet");
        JsonNode m = keys.get(1);
        assertEquals(id, m.get("id").asText());
        assertEquals("store", m.get("source").asText());
        assertEquals(ApiKeys.mask(key), m.get("masked").asText());
        assertEquals("2026-03-10T14:20:00Z", m.get("createdAt").asText());
        assertEquals("2026-03-10T14:20:30Z", m.get("lastUsedAt").asText());
        assertFalse(m.get("revoked").asBoolean());

        // revoke the minted key: refused from the next request on, and the provider never sees it
        JsonNode revoked = ok(gw, 200, "DELETE", "/keys/" + id, null);
        assertTrue(revoked.get("revoked").asBoolean());
        int before = gw.provider.requestCount();
        assertEquals(401, chat(gw, key));
        assertEquals(before, gw.provider.requestCount());
        assertTrue(ok(gw, 200, "DELETE", "/keys/" + id, null).get("revoked").asBoolean(), "revoking twice is harmless");

        // a key declared in the config file is revoked the same way
        clock.advance(Duration.ofSeconds(5));
        assertEquals(200, chat(gw, gw.key));
        assertEquals("2026-03-10T14:20:35Z", get(gw, "/projects/test-proj/keys").get("data").get(0).get("lastUsedAt").asText());
        assertTrue(ok(gw, 200, "DELETE", "/keys/k1", null).get("revoked").asBoolean());
        assertEquals(401, chat(gw, gw.key));
        assertEquals(200, chat(gw, gw.otherKey), "other projects' keys are untouched");
        assertEquals(0, project(gw, "test-proj").get("keyCount").asInt());
        JsonNode after = get(gw, "/projects/test-proj/keys").get("data");
        assertTrue(after.get(0).get("revoked").asBoolean() && after.get(1).get("revoked").asBoolean(), after.toString());

        error(api(gw, "DELETE", "/keys/no-such-key", ADMIN_KEY, null), 404, "key_not_found");
    }

    @Test
    void mintingChecksItsBody() throws Exception {
        String[][] bad = {
                {"{\"env\":\"PROD\"}", "env"},
                {"{\"env\":\"a1\"}", "env"},
                {"{\"env\":42}", "env"},
                {"{\"env\":\"dev\",\"project\":\"other-proj\"}", "project"},
                {"{\"env\":", null},
                {"[\"dev\"]", null},
        };
        for (String[] b : bad) {
            JsonNode e = error(api(gw, "POST", "/projects/test-proj/keys", ADMIN_KEY, b[0]), 400, "invalid_request_error");
            assertEquals(b[1], e.get("param").isNull() ? null : e.get("param").asText(), b[0]);
        }
        error(api(gw, "POST", "/projects/test-proj/keys", ADMIN_KEY, "{\"env\":\"" + "x".repeat(5000) + "\"}"), 413, "request_too_large");
        assertEquals(1, get(gw, "/projects/test-proj/keys").get("data").size(), "nothing was minted");
        // no body (or {}) mints a dev key
        assertTrue(ok(gw, 201, "POST", "/projects/test-proj/keys", null).get("key").asText().startsWith("lgw_dev_"));
        assertTrue(ok(gw, 201, "POST", "/projects/test-proj/keys", "{}").get("key").asText().startsWith("lgw_dev_"));
    }

    @Test
    void adminKeysAndMintedKeysNeverReachTheLogs() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger watchllm = (Logger) LoggerFactory.getLogger("dev.watchllm");
        Level level = watchllm.getLevel();
        captured.start();
        root.addAppender(captured);
        watchllm.setLevel(Level.TRACE);
        String wrong = AdminKeys.mint();
        String minted;
        try {
            get(gw, "/projects");
            api(gw, "GET", "/projects", wrong, null);
            api(gw, "GET", "/projects", gw.key, null);
            minted = ok(gw, 201, "POST", "/projects/test-proj/keys", "{\"env\":\"prod\"}").get("key").asText();
            ok(gw, 200, "DELETE", "/keys/k1", null);
            api(gw, "GET", "/projects/test-proj/usage?bucket=nope", ADMIN_KEY, null);
        } finally {
            root.detachAppender(captured);
            watchllm.setLevel(level);
        }
        assertTrue(captured.list.stream().anyMatch(e -> e.getFormattedMessage().contains("minted key")), "minting is logged (masked)");
        for (ILoggingEvent e : captured.list) {
            String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String secret : List.of(ADMIN_KEY.substring(9), wrong.substring(9), minted.substring(13), gw.key.substring(13))) {
                assertFalse(text.contains(secret), "a key in the log: " + text);
            }
        }
    }

    @Test
    void theAdminApiIsNotOpenedByCors() throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/api/projects"))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Origin", "https://evil.example").build();
        HttpResponse<String> r = Http.send(get);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), r.headers().map().toString());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        HttpRequest preflight = HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/api/projects"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "authorization").build();
        HttpResponse<String> p = Http.send(preflight);
        assertTrue(p.statusCode() >= 400, "preflight: " + p.statusCode());
        for (String h : Set.of("Access-Control-Allow-Origin", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods")) {
            assertTrue(p.headers().firstValue(h).isEmpty(), h);
        }
        // while /v1 stays open to browsers as configured
        HttpRequest v1 = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST").build();
        assertEquals("*", Http.send(v1).headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    }

    @Test
    void theDashboardIsOneStaticPageUnderAStrictPolicy() throws Exception {
        HttpResponse<String> page = Http.send(HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/")).build());
        assertEquals(200, page.statusCode());
        assertEquals("text/html;charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""));
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.startsWith("default-src 'none'; script-src 'self'; style-src 'self';"), csp);
        assertFalse(csp.contains("unsafe"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElseThrow());
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        String html = page.body();
        assertTrue(html.contains("<script src=\"dashboard.js\" defer></script>"), "script is a same-origin file");
        assertFalse(html.contains("http://") || html.contains("https://"), "no external resource");
        assertFalse(html.contains("<script>") || html.contains("style=") || html.contains("<style"), "nothing inline");
        assertFalse(html.contains(ADMIN_KEY), "the page carries no key");

        HttpResponse<String> js = Http.send(HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/dashboard.js")).build());
        assertEquals(200, js.statusCode());
        assertEquals("text/javascript;charset=utf-8", js.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""));
        String script = js.body().replace("'http://www.w3.org/2000/svg'", "");
        assertFalse(script.contains("http://") || script.contains("https://") || script.contains("//cdn"), "no external resource");
        assertEquals(200, Http.send(HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/dashboard.css")).build()).statusCode());

        HttpResponse<String> bare = Http.send(HttpRequest.newBuilder(URI.create(AdminFixture.base(gw))).build());
        assertEquals(308, bare.statusCode());
        assertEquals("watchllm/", bare.headers().firstValue("Location").orElseThrow());
        assertEquals(404, Http.send(HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/nope.js")).build()).statusCode());
        HttpResponse<String> post = Http.send(HttpRequest.newBuilder(URI.create(AdminFixture.base(gw) + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertEquals(405, post.statusCode());
        // a path that only starts like the prefix is the host's
        HttpResponse<String> host = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/watchllmx/")).build());
        assertEquals("host:GET /watchllmx/", host.body());
    }

    @Test
    void belowAContextPathEverythingIsRelativeToIt() throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/ctx");
        FilterHolder fh = new FilterHolder(new WatchLlmFilter(gw.engine));
        fh.setAsyncSupported(true);
        ctx.addFilter(fh, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(ctx);
        server.start();
        try {
            String base = "http://127.0.0.1:" + c.getLocalPort() + "/ctx/watchllm";
            HttpResponse<String> bare = Http.send(HttpRequest.newBuilder(URI.create(base)).build());
            assertEquals(308, bare.statusCode());
            assertEquals(base + "/", URI.create(base).resolve(bare.headers().firstValue("Location").orElseThrow()).toString());
            assertEquals(200, Http.send(HttpRequest.newBuilder(URI.create(base + "/")).build()).statusCode());
            // the page calls 'api/...' relative to itself
            assertEquals(base + "/api/projects", URI.create(base + "/").resolve("api/projects").toString());
            HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create(base + "/api/projects"))
                    .header("Authorization", "Bearer " + ADMIN_KEY).build());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(2, AdminFixture.JSON.readTree(r.body()).get("data").size());
        } finally {
            server.stop();
        }
    }

    @Test
    void withoutAdminKeysTheHostKeepsThePrefix() throws Exception {
        try (Gateway plain = new Gateway()) {
            HttpResponse<String> r = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + "/watchllm/api/projects"))
                    .header("Authorization", "Bearer " + ADMIN_KEY).build());
            assertEquals("host:GET /watchllm/api/projects", r.body());
            HttpResponse<String> page = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + "/watchllm/")).build());
            assertEquals("host:GET /watchllm/", page.body());
        }
    }

    private static List<Long> field(JsonNode series, String name) {
        List<Long> out = new ArrayList<>();
        for (JsonNode b : series.get("data")) out.add(b.get(name).asLong());
        return out;
    }
}
