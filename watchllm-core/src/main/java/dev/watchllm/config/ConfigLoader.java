package dev.watchllm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.watchllm.metering.ModelPrice;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the YAML config file of the contract into a {@link WatchLlmConfig.Builder}. Unknown keys
 * are errors (a typo must not silently disable a limit); {@code ${ENV}} is expanded in values; a
 * missing variable is a warning naming it, and for an upstream's {@code apiKey} the upstream
 * answers 502 naming the variable. The same builder takes web.xml init-params and system
 * properties through {@link #applyOverrides}.
 */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final EnvExpander env;

    private ConfigLoader(Function<String, String> env) {
        this.env = new EnvExpander(env);
    }

    public static WatchLlmConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static WatchLlmConfig load(Path file, Function<String, String> env) {
        return loadBuilder(file, env).build();
    }

    public static WatchLlmConfig.Builder loadBuilder(Path file, Function<String, String> env) {
        try (InputStream in = Files.newInputStream(file)) {
            return loadBuilder(in, env);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    public static WatchLlmConfig load(InputStream in) {
        return loadBuilder(in, System::getenv).build();
    }

    public static WatchLlmConfig.Builder loadBuilder(InputStream in, Function<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException("not valid YAML: " + e.getMessage(), e);
        }
        return new ConfigLoader(env).parse(root);
    }

    /**
     * Applies flat settings (web.xml init-params, {@code watchllm.*} system properties) on top of a
     * builder: {@code prefix}, {@code maxBodySize}, {@code storeDir}.
     */
    public static WatchLlmConfig.Builder applyOverrides(WatchLlmConfig.Builder b, Map<String, String> settings) {
        settings.forEach((k, v) -> {
            if (v == null) return;
            switch (k) {
                case "prefix": b.prefix(v.trim()); break;
                case "maxBodySize": b.maxBodyBytes(ByteSizes.parse(k, v)); break;
                case "storeDir": b.store(new StoreConfig("local", Path.of(v.trim()), null)); break;
                default: break;
            }
        });
        return b;
    }

    private WatchLlmConfig.Builder parse(JsonNode root) {
        WatchLlmConfig.Builder b = WatchLlmConfig.builder();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return b;
        }
        if (!root.isObject()) {
            throw new ConfigException("the config must be a YAML mapping");
        }
        only(root, "", Set.of("upstreams", "plans", "projects", "store", "http", "pricing", "cache", "admin"));
        JsonNode ups = root.path("upstreams");
        if (!ups.isMissingNode()) {
            list(ups, "upstreams");
            for (int i = 0; i < ups.size(); i++) {
                b.upstream(upstream(ups.get(i), "upstreams[" + i + "]"));
            }
        }
        JsonNode plans = root.path("plans");
        if (!plans.isMissingNode()) {
            if (!plans.isObject()) throw new ConfigException("plans: must be a mapping of plan name to limits");
            Iterator<Map.Entry<String, JsonNode>> it = plans.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                b.plan(plan(e.getKey(), e.getValue()));
            }
        }
        JsonNode projects = root.path("projects");
        if (!projects.isMissingNode()) {
            list(projects, "projects");
            for (int i = 0; i < projects.size(); i++) {
                b.project(project(projects.get(i), "projects[" + i + "]"));
            }
        }
        JsonNode store = root.path("store");
        if (!store.isMissingNode()) {
            String f = "store";
            obj(store, f);
            only(store, f, Set.of("type", "dir", "uri", "failOpen"));
            String type = str(store, f, "type", "local");
            String dir = str(store, f, "dir", StoreConfig.DEFAULT.dir().toString());
            b.store(new StoreConfig(type, Path.of(dir), str(store, f, "uri", null), bool(store, f, "failOpen", true)));
        }
        JsonNode cache = root.path("cache");
        if (!cache.isMissingNode()) {
            b.cache(cache(cache));
        }
        JsonNode http = root.path("http");
        if (!http.isMissingNode()) {
            obj(http, "http");
            only(http, "http", Set.of("prefix", "maxBodySize", "cors"));
            String p = str(http, "http", "prefix", null);
            if (p != null) b.prefix(p);
            String size = str(http, "http", "maxBodySize", null);
            if (size != null) b.maxBodyBytes(ByteSizes.parse("http.maxBodySize", size));
            JsonNode cors = http.path("cors");
            if (!cors.isMissingNode()) {
                obj(cors, "http.cors");
                only(cors, "http.cors", Set.of("allowedOrigins"));
                b.corsAllowedOrigins(strings(cors.path("allowedOrigins"), "http.cors.allowedOrigins"));
            }
        }
        JsonNode pricing = root.path("pricing");
        if (!pricing.isMissingNode()) {
            obj(pricing, "pricing");
            for (Map.Entry<String, JsonNode> e : pricing.properties()) {
                b.price(price(e.getKey(), e.getValue()));
            }
        }
        JsonNode admin = root.path("admin");
        if (!admin.isMissingNode()) b.admin(admin(admin));
        return b;
    }

    /** {@code admin: { prefix: /watchllm, keys: [ {id, sha256} ] }}: the admin API and dashboard. */
    private AdminConfig admin(JsonNode n) {
        String f = "admin";
        obj(n, f);
        only(n, f, Set.of("prefix", "keys"));
        String prefix = str(n, f, "prefix", AdminConfig.DEFAULT_PREFIX).trim();
        List<KeyEntry> keys = n.has("keys") ? keyEntries(n.path("keys"), f + ".keys") : List.of();
        return new AdminConfig(prefix, keys);
    }

    /** {@code model: { input: 0.15, cachedInput: 0.075, output: 0.60 }} in USD per million tokens. */
    private ModelPrice price(String model, JsonNode n) {
        String f = "pricing." + model;
        obj(n, f);
        only(n, f, Set.of("input", "cachedInput", "output"));
        try {
            return ModelPrice.ofUsdPerMillion(model, usd(n, f, "input", true), usd(n, f, "cachedInput", false), usd(n, f, "output", true));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(f + "." + e.getMessage());
        }
    }

    private java.math.BigDecimal usd(JsonNode n, String f, String name, boolean required) {
        String v = text(n, f, name);
        if (v == null) {
            if (required) throw new ConfigException(f + "." + name + ": required (USD per million tokens)");
            return null;
        }
        try {
            return new java.math.BigDecimal(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(f + "." + name + ": '" + v + "' is not a number (USD per million tokens)");
        }
    }

    /** The top-level {@code cache} section: the exact cache's tiers and limits; absent keys keep their defaults. */
    private CacheConfig cache(JsonNode n) {
        String f = "cache";
        obj(n, f);
        only(n, f, Set.of("heapEntries", "offHeap", "disk", "maxEntrySize", "coalesceTimeout"));
        CacheConfig d = CacheConfig.DEFAULT;
        return new CacheConfig(
                n.has("heapEntries") ? integer(n, f, "heapEntries") : d.heapEntries(),
                n.has("offHeap") ? ByteSizes.parse(f + ".offHeap", text(n, f, "offHeap")) : d.offHeapBytes(),
                n.has("disk") ? ByteSizes.parse(f + ".disk", text(n, f, "disk")) : d.diskBytes(),
                n.has("maxEntrySize") ? ByteSizes.parse(f + ".maxEntrySize", text(n, f, "maxEntrySize")) : d.maxEntryBytes(),
                n.has("coalesceTimeout") ? Durations.parse(f + ".coalesceTimeout", text(n, f, "coalesceTimeout")) : d.coalesceTimeout());
    }

    private UpstreamConfig upstream(JsonNode n, String f) {
        obj(n, f);
        only(n, f, Set.of("name", "baseUrl", "apiKey", "models", "timeout", "fallbacks", "maxRetries", "retryBackoff", "maxRetryAfter"));
        String name = required(n, f, "name");
        env.reset();
        String baseUrl = required(n, f, "baseUrl");
        if (!env.missing().isEmpty()) {
            throw new ConfigException(f + ".baseUrl: environment variable " + env.missing().iterator().next() + " is not set");
        }
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw new ConfigException(f + ".baseUrl: '" + baseUrl + "' must start with http:// or https://");
        }
        env.reset();
        String apiKey = str(n, f, "apiKey", null);
        String missing = null;
        if (!env.missing().isEmpty()) {
            missing = env.missing().iterator().next();
            apiKey = null;
            LOG.warn("Upstream '{}': environment variable {} is not set; requests routed to it will fail with 502 until it is", name, missing);
        }
        JsonNode models = n.path("models");
        List<String> globs = models.isMissingNode() ? List.of("*") : strings(models, f + ".models");
        if (globs.isEmpty()) throw new ConfigException(f + ".models: must list at least one model glob");
        Duration timeout = n.has("timeout") ? Durations.parse(f + ".timeout", text(n, f, "timeout")) : UpstreamConfig.DEFAULT_TIMEOUT;
        List<String> fallbacks = n.has("fallbacks") ? strings(n.path("fallbacks"), f + ".fallbacks") : List.of();
        int retries = n.has("maxRetries") ? (int) integer(n, f, "maxRetries") : UpstreamConfig.DEFAULT_MAX_RETRIES;
        Duration backoff = n.has("retryBackoff") ? Durations.parse(f + ".retryBackoff", text(n, f, "retryBackoff")) : UpstreamConfig.DEFAULT_RETRY_BACKOFF;
        Duration maxRetryAfter = n.has("maxRetryAfter") ? Durations.parse(f + ".maxRetryAfter", text(n, f, "maxRetryAfter")) : UpstreamConfig.DEFAULT_MAX_RETRY_AFTER;
        return new UpstreamConfig(name, baseUrl, apiKey, missing, globs, timeout, fallbacks, retries, backoff, maxRetryAfter);
    }

    private PlanConfig plan(String name, JsonNode n) {
        String f = "plans." + name;
        obj(n, f);
        only(n, f, Set.of("requestsPerMinute", "requestsPerMonth", "tokensPerMinute", "concurrentRequests"));
        PlanConfig base = PlanConfig.BUILT_IN.get(name);
        long rpm = n.has("requestsPerMinute") ? integer(n, f, "requestsPerMinute") : base != null ? base.requestsPerMinute() : missingField(f, "requestsPerMinute");
        long rpmo = n.has("requestsPerMonth") ? integer(n, f, "requestsPerMonth") : base != null ? base.requestsPerMonth() : missingField(f, "requestsPerMonth");
        long tpm = n.has("tokensPerMinute") ? integer(n, f, "tokensPerMinute") : base != null ? base.tokensPerMinute() : 0;
        long conc = n.has("concurrentRequests") ? integer(n, f, "concurrentRequests") : base != null ? base.concurrentRequests() : 0;
        return new PlanConfig(name, rpm, rpmo, tpm, (int) conc);
    }

    private ProjectConfig project(JsonNode n, String f) {
        obj(n, f);
        only(n, f, Set.of("id", "plan", "keys", "cache", "budget"));
        String id = required(n, f, "id");
        String plan = str(n, f, "plan", "free");
        JsonNode ks = n.path("keys");
        List<KeyEntry> keys = ks.isMissingNode() ? new ArrayList<>() : keyEntries(ks, f + ".keys");
        CacheSettings cache = CacheSettings.DEFAULT;
        JsonNode c = n.path("cache");
        if (!c.isMissingNode()) {
            String cf = f + ".cache";
            obj(c, cf);
            only(c, cf, Set.of("enabled", "ttl", "semantic"));
            boolean enabled = bool(c, cf, "enabled", true);
            Duration ttl = c.has("ttl") ? Durations.parse(cf + ".ttl", text(c, cf, "ttl")) : CacheSettings.DEFAULT.ttl();
            boolean sem = false;
            double threshold = CacheSettings.DEFAULT.semanticThreshold();
            String embedder = CacheSettings.DEFAULT.semanticEmbedder();
            JsonNode s = c.path("semantic");
            if (!s.isMissingNode()) {
                String sf = cf + ".semantic";
                obj(s, sf);
                only(s, sf, Set.of("enabled", "threshold", "embedder"));
                sem = bool(s, sf, "enabled", false);
                if (s.has("threshold")) {
                    if (!s.get("threshold").isNumber()) throw new ConfigException(sf + ".threshold: must be a number");
                    threshold = s.get("threshold").asDouble();
                    if (threshold <= 0 || threshold > 1) throw new ConfigException(sf + ".threshold: must be in (0, 1]");
                }
                embedder = str(s, sf, "embedder", embedder).trim();
                if (!embedder.equals("local") && !embedder.equals("upstream")) {
                    throw new ConfigException(sf + ".embedder: '" + embedder + "' must be local or upstream");
                }
            }
            cache = new CacheSettings(enabled, ttl, sem, threshold, embedder);
        }
        double budget = 0;
        JsonNode bn = n.path("budget");
        if (!bn.isMissingNode()) {
            String bf = f + ".budget";
            obj(bn, bf);
            only(bn, bf, Set.of("monthlyUsd"));
            JsonNode m = bn.path("monthlyUsd");
            if (!m.isNumber() || m.asDouble() <= 0) throw new ConfigException(bf + ".monthlyUsd: must be a number greater than zero");
            budget = m.asDouble();
        }
        return new ProjectConfig(id, plan, keys, cache, budget);
    }

    /** A list of key entries {@code {id, sha256}} (a project's keys, the admin keys). */
    private List<KeyEntry> keyEntries(JsonNode ks, String f) {
        List<KeyEntry> keys = new ArrayList<>();
        list(ks, f);
        for (int i = 0; i < ks.size(); i++) {
            String kf = f + "[" + i + "]";
            JsonNode k = ks.get(i);
            obj(k, kf);
            only(k, kf, Set.of("id", "sha256"));
            String keyId = required(k, kf, "id");
            String sha256 = required(k, kf, "sha256");
            try {
                keys.add(new KeyEntry(keyId, sha256));
            } catch (ConfigException e) {
                throw new ConfigException(kf + ".sha256: must be 64 hex characters (the SHA-256 of the key, never the key)");
            }
        }
        return keys;
    }

    // --- small typed readers; each names the field in its error ---

    private static void only(JsonNode n, String f, Set<String> allowed) {
        Iterator<String> it = n.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new ConfigException((f.isEmpty() ? "" : f + ".") + k + ": unknown setting (known: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private static void obj(JsonNode n, String f) {
        if (!n.isObject()) throw new ConfigException(f + ": must be a mapping");
    }

    private static void list(JsonNode n, String f) {
        if (!n.isArray()) throw new ConfigException(f + ": must be a list");
    }

    private static long missingField(String f, String name) {
        throw new ConfigException(f + "." + name + ": required for a plan that is not built in");
    }

    private String text(JsonNode n, String f, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw new ConfigException(f + "." + name + ": must be a single value");
        return env.expand(v.asText());
    }

    private String str(JsonNode n, String f, String name, String dflt) {
        String v = text(n, f, name);
        return v == null ? dflt : v;
    }

    private String required(JsonNode n, String f, String name) {
        String v = text(n, f, name);
        if (v == null || v.isBlank()) throw new ConfigException(f + "." + name + ": required");
        return v.trim();
    }

    private long integer(JsonNode n, String f, String name) {
        String v = text(n, f, name);
        try {
            long l = Long.parseLong(v.trim().replace("_", ""));
            if (l < 0) throw new ConfigException(f + "." + name + ": must not be negative");
            return l;
        } catch (NumberFormatException | NullPointerException e) {
            throw new ConfigException(f + "." + name + ": '" + v + "' is not a whole number");
        }
    }

    private boolean bool(JsonNode n, String f, String name, boolean dflt) {
        String v = text(n, f, name);
        if (v == null) return dflt;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new ConfigException(f + "." + name + ": '" + v + "' must be true or false");
    }

    private List<String> strings(JsonNode n, String f) {
        if (!n.isArray()) throw new ConfigException(f + ": must be a list");
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isValueNode() || e.isNull()) throw new ConfigException(f + ": every entry must be a string");
            out.add(env.expand(e.asText()));
        }
        return out;
    }
}
