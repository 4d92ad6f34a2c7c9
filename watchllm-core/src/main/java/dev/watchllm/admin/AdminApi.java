package dev.watchllm.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.auth.ProjectKeys;
import dev.watchllm.config.PlanConfig;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.internal.Responses;
import dev.watchllm.limit.LimitState;
import dev.watchllm.metering.UsageLedger;
import dev.watchllm.metering.UsageTotals;
import dev.watchllm.openai.OpenAiError;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API below {@code <admin prefix>/api}: every route needs an admin key, then
 * <pre>
 * GET    /projects                  each project's month so far: usage, cost, savings, budget left, key count
 * GET    /projects/{id}/usage       a time series (?from=&amp;to=&amp;bucket=hour|day)
 * GET    /projects/{id}/keys        the project's keys, masked, with created / last used / revoked
 * POST   /projects/{id}/keys        {"env":"dev"} -> 201 {"id","key","createdAt"}: the key is shown this once
 * DELETE /keys/{id}                 revokes a key (minted or declared in the config file) from the next request on
 * </pre>
 * Errors are OpenAI-shaped. Answers are never cached ({@code Cache-Control: no-store}) and never
 * opened to other origins (no CORS headers).
 */
final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;

    private final WatchLlmConfig config;
    private final AdminAuth auth;
    private final ProjectKeys keys;
    private final UsageLedger ledger;
    private final UsageSeries series;
    private final Function<String, LimitState> limits;
    private final Clock clock;

    AdminApi(WatchLlmConfig config, ProjectKeys keys, UsageLedger ledger, UsageSeries series, Function<String, LimitState> limits,
             Clock clock) {
        this.config = config;
        this.auth = new AdminAuth(config.admin().keys());
        this.keys = keys;
        this.ledger = ledger;
        this.series = series;
        this.limits = limits;
        this.clock = clock;
    }

    /** Serves {@code route}: the path below {@code <admin prefix>/api}, e.g. {@code /projects}. */
    void handle(Exchange ex, String route) {
        OpenAiError denied = auth.check(ex.header("Authorization"));
        if (denied != null) {
            if (denied.status() == 401) ex.header("WWW-Authenticate", "Bearer realm=\"watchllm-admin\"");
            Responses.error(ex, denied);
            return;
        }
        String[] seg = segments(route);
        String method = ex.method();
        try {
            if (seg == null) {
                Responses.error(ex, OpenAiError.notFound(method, ex.path()));
            } else if (seg.length == 1 && seg[0].equals("projects")) {
                if (allow(ex, "GET")) projects(ex);
            } else if (seg.length == 3 && seg[0].equals("projects") && seg[2].equals("usage")) {
                if (allow(ex, "GET") && project(ex, seg[1]) != null) usage(ex, seg[1]);
            } else if (seg.length == 3 && seg[0].equals("projects") && seg[2].equals("keys")) {
                if (!method.equals("GET") && !method.equals("POST")) {
                    methodNotAllowed(ex, "GET, POST");
                } else if (project(ex, seg[1]) != null) {
                    if (method.equals("GET")) listKeys(ex, seg[1]);
                    else mintKey(ex, seg[1]);
                }
            } else if (seg.length == 2 && seg[0].equals("keys")) {
                if (allow(ex, "DELETE")) revoke(ex, seg[1]);
            } else {
                Responses.error(ex, OpenAiError.notFound(method, ex.path()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Admin API {} {} failed: {}", method, ex.path(), e.toString());
            Responses.error(ex, new OpenAiError(500, "server_error", "server_error",
                    "The admin API could not answer: " + e.getClass().getSimpleName() + ".", null));
        }
    }

    // ---- routes ----

    private void projects(Exchange ex) {
        YearMonth month = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
        Responses.json(ex, 200, AdminJson.of(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeStringField("period", month.toString());
            g.writeArrayFieldStart("data");
            for (ProjectConfig p : config.projects()) {
                UsageTotals t = ledger.month(p.id(), month);
                g.writeStartObject();
                g.writeStringField("id", p.id());
                g.writeStringField("plan", p.plan());
                AdminJson.usage(g, t);
                PlanConfig plan = config.plans().get(p.plan());
                if (plan != null) g.writeNumberField("requestsPerMonth", plan.requestsPerMonth());
                budget(g, p);
                g.writeNumberField("keyCount", keys.activeCount(p.id()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    /** {@code budgetUsd}, {@code budgetSpentUsd}, {@code budgetLeftUsd}: what the budget check counts; null without a budget. */
    private void budget(JsonGenerator g, ProjectConfig p) throws IOException {
        if (p.budgetMonthlyUsd() <= 0) {
            g.writeNullField("budgetUsd");
            g.writeNullField("budgetSpentUsd");
            g.writeNullField("budgetLeftUsd");
            return;
        }
        long budget = Math.round(p.budgetMonthlyUsd() * 1_000_000d);
        LimitState s = limits.apply(p.id());
        long spent = s == null ? 0 : s.spentMicros();
        AdminJson.usd(g, "budgetUsd", budget);
        AdminJson.usd(g, "budgetSpentUsd", spent);
        AdminJson.usd(g, "budgetLeftUsd", Math.max(0, budget - spent));
    }

    private void usage(Exchange ex, String project) throws IOException {
        UsageSeries.Range r;
        try {
            r = UsageSeries.range(new QueryString(ex.query()), clock.instant());
        } catch (UsageSeries.BadQuery e) {
            Responses.error(ex, e.error);
            return;
        }
        List<UsageSeries.Point> points = series.points(project, r);
        Responses.json(ex, 200, AdminJson.of(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeStringField("project", project);
            g.writeStringField("bucket", r.bucket().label());
            AdminJson.time(g, "from", r.from());
            AdminJson.time(g, "to", r.to());
            g.writeArrayFieldStart("data");
            for (UsageSeries.Point p : points) {
                g.writeStartObject();
                AdminJson.time(g, "start", p.start());
                AdminJson.usage(g, p.totals());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    private void listKeys(Exchange ex, String project) {
        List<ProjectKeys.KeyInfo> list = keys.list(project);
        Responses.json(ex, 200, AdminJson.of(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeStringField("project", project);
            g.writeArrayFieldStart("data");
            for (ProjectKeys.KeyInfo k : list) writeKey(g, k);
            g.writeEndArray();
            g.writeEndObject();
        }));
    }

    private void mintKey(Exchange ex, String project) {
        String env = "dev";
        byte[] body = readBody(ex);
        if (body == null) return;
        if (body.length > 0) {
            JsonNode j;
            try {
                j = JSON.readTree(body);
            } catch (IOException e) {
                Responses.error(ex, OpenAiError.invalidRequest("The body must be JSON, e.g. {\"env\":\"dev\"}.", null));
                return;
            }
            if (j == null || !j.isObject()) {
                Responses.error(ex, OpenAiError.invalidRequest("The body must be a JSON object, e.g. {\"env\":\"dev\"}.", null));
                return;
            }
            for (Iterator<String> it = j.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("env")) {
                    Responses.error(ex, OpenAiError.invalidRequest("Unknown field '" + f + "'; only 'env' may be given.", f));
                    return;
                }
            }
            JsonNode e = j.get("env");
            if (e != null && !e.isNull()) {
                if (!e.isTextual()) {
                    Responses.error(ex, OpenAiError.invalidRequest("'env' must be a string of lower-case letters, e.g. \"prod\".", "env"));
                    return;
                }
                env = e.asText();
            }
        }
        if (!ApiKeys.isEnv(env)) {
            Responses.error(ex, OpenAiError.invalidRequest("'env' must be 1-16 lower-case letters, e.g. \"prod\" or \"dev\".", "env"));
            return;
        }
        ProjectKeys.MintedKey k = keys.mint(project, env);
        LOG.info("Admin API: minted key '{}' for project '{}' ({})", k.id(), project, ApiKeys.mask(k.key()));
        Responses.json(ex, 201, AdminJson.of(g -> {
            g.writeStartObject();
            g.writeStringField("id", k.id());
            g.writeStringField("project", project);
            g.writeStringField("key", k.key());
            g.writeStringField("masked", ApiKeys.mask(k.key()));
            AdminJson.time(g, "createdAt", k.createdAt());
            g.writeEndObject();
        }));
    }

    private void revoke(Exchange ex, String keyId) {
        ProjectKeys.KeyInfo before = keys.find(keyId);
        ProjectKeys.KeyInfo k = keys.revoke(keyId);
        if (k == null) {
            Responses.error(ex, new OpenAiError(404, "invalid_request_error", "key_not_found", "No key has the id '" + keyId + "'.", "id"));
            return;
        }
        if (!before.revoked()) LOG.info("Admin API: revoked key '{}' of project '{}'", k.id(), k.projectId());
        Responses.json(ex, 200, AdminJson.of(g -> writeKey(g, k)));
    }

    // ---- helpers ----

    private static void writeKey(JsonGenerator g, ProjectKeys.KeyInfo k) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", k.id());
        g.writeStringField("project", k.projectId());
        g.writeStringField("masked", k.masked());
        g.writeStringField("source", k.source() == ProjectKeys.Source.CONFIG ? "config" : "store");
        AdminJson.time(g, "createdAt", k.createdAt());
        AdminJson.time(g, "lastUsedAt", k.lastUsedAt());
        g.writeBooleanField("revoked", k.revoked());
        g.writeEndObject();
    }

    /** The project's config, or null after answering 404. */
    private ProjectConfig project(Exchange ex, String id) {
        ProjectConfig p = config.project(id);
        if (p == null) {
            Responses.error(ex, new OpenAiError(404, "invalid_request_error", "project_not_found", "No project has the id '" + id + "'.", "id"));
        }
        return p;
    }

    private static boolean allow(Exchange ex, String method) {
        if (ex.method().equals(method)) return true;
        methodNotAllowed(ex, method);
        return false;
    }

    private static void methodNotAllowed(Exchange ex, String allowed) {
        ex.header("Allow", allowed);
        Responses.error(ex, OpenAiError.methodNotAllowed(ex.method(), ex.path(), allowed));
    }

    /** The body (empty when none), or null after answering 413/400. */
    private static byte[] readBody(Exchange ex) {
        if (ex.contentLength() > MAX_BODY) {
            Responses.error(ex, OpenAiError.tooLarge(MAX_BODY));
            return null;
        }
        try (InputStream in = ex.body()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                Responses.error(ex, OpenAiError.tooLarge(MAX_BODY));
                return null;
            }
            return b;
        } catch (IOException e) {
            Responses.error(ex, OpenAiError.invalidRequest("The request body could not be read.", null));
            return null;
        }
    }

    /** The decoded path segments of {@code route} ({@code /projects/a/keys} -> [projects, a, keys]); null when malformed. */
    static String[] segments(String route) {
        if (route.isEmpty() || route.equals("/")) return new String[0];
        if (route.charAt(0) != '/') return null;
        String r = route.endsWith("/") ? route.substring(1, route.length() - 1) : route.substring(1);
        String[] raw = r.split("/", -1);
        for (int i = 0; i < raw.length; i++) {
            String d = raw[i].isEmpty() ? null : QueryString.decode(raw[i], false);
            if (d == null) return null;
            raw[i] = d;
        }
        return raw;
    }
}
