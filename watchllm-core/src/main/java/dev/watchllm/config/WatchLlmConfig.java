package dev.watchllm.config;

import dev.watchllm.metering.ModelPrice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The whole, validated, immutable configuration of one engine. Built by {@link #builder()}, which
 * the YAML loader ({@link ConfigLoader}), web.xml init-params and system properties all feed.
 */
public final class WatchLlmConfig {
    public static final String DEFAULT_PREFIX = "/v1";
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private final List<UpstreamConfig> upstreams;
    private final Map<String, PlanConfig> plans;
    private final List<ProjectConfig> projects;
    private final StoreConfig store;
    private final String prefix;
    private final long maxBodyBytes;
    private final List<String> corsAllowedOrigins;
    private final Map<String, ModelPrice> pricing;
    private final CacheConfig cache;
    private final AdminConfig admin;

    private WatchLlmConfig(Builder b) {
        this.upstreams = List.copyOf(b.upstreams);
        Map<String, PlanConfig> p = new LinkedHashMap<>(PlanConfig.BUILT_IN);
        p.putAll(b.plans);
        this.plans = Map.copyOf(p);
        this.projects = List.copyOf(b.projects);
        this.store = b.store;
        this.prefix = b.prefix;
        this.maxBodyBytes = b.maxBodyBytes;
        this.corsAllowedOrigins = List.copyOf(b.corsAllowedOrigins);
        this.pricing = Map.copyOf(b.pricing);
        this.cache = b.cache;
        this.admin = b.admin;
        validate();
        validateAdmin(hashes(projects));
    }

    // ---- admin API and dashboard (dev.watchllm.admin) ----
    private static Set<String> hashes(List<ProjectConfig> projects) {
        Set<String> out = new HashSet<>();
        for (ProjectConfig p : projects) {
            for (KeyEntry k : p.keys()) out.add(k.sha256());
        }
        return out;
    }

    private void validateAdmin(Set<String> projectHashes) {
        String a = admin.prefix();
        if (admin.enabled() && (a.equals(prefix) || a.startsWith(prefix + "/") || prefix.startsWith(a + "/"))) {
            throw new ConfigException("admin.prefix: '" + a + "' overlaps the gateway's prefix '" + prefix + "'");
        }
        Set<String> ids = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (KeyEntry k : admin.keys()) {
            if (!ids.add(k.id())) throw new ConfigException("admin.keys: key id '" + k.id() + "' is used twice");
            if (!seen.add(k.sha256()) || projectHashes.contains(k.sha256())) {
                throw new ConfigException("admin.keys: key '" + k.id() + "' has the same sha256 as another key (admin and project keys must differ)");
            }
        }
    }
    // ---- end of admin ----

    private void validate() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < upstreams.size(); i++) {
            UpstreamConfig u = upstreams.get(i);
            if (!names.add(u.name())) {
                throw new ConfigException("upstreams[" + i + "].name: '" + u.name() + "' is used twice");
            }
        }
        for (int i = 0; i < upstreams.size(); i++) {
            for (String f : upstreams.get(i).fallbacks()) {
                if (!names.contains(f)) {
                    throw new ConfigException("upstreams[" + i + "].fallbacks: no upstream named '" + f + "'");
                }
                if (f.equals(upstreams.get(i).name())) {
                    throw new ConfigException("upstreams[" + i + "].fallbacks: an upstream cannot fall back to itself");
                }
            }
        }
        Set<String> ids = new HashSet<>();
        Set<String> keyIds = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < projects.size(); i++) {
            ProjectConfig pc = projects.get(i);
            if (!ids.add(pc.id())) {
                throw new ConfigException("projects[" + i + "].id: '" + pc.id() + "' is used twice");
            }
            if (!plans.containsKey(pc.plan())) {
                throw new ConfigException("projects[" + i + "].plan: unknown plan '" + pc.plan() + "' (known: " + new java.util.TreeSet<>(plans.keySet()) + ")");
            }
            for (KeyEntry k : pc.keys()) {
                if (!keyIds.add(k.id())) {
                    throw new ConfigException("projects[" + i + "].keys: key id '" + k.id() + "' is used twice");
                }
                if (!hashes.add(k.sha256())) {
                    throw new ConfigException("projects[" + i + "].keys: key '" + k.id() + "' has the same sha256 as another key");
                }
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.upstreams.addAll(upstreams);
        plans.forEach((k, v) -> {
            if (!v.equals(PlanConfig.BUILT_IN.get(k))) {
                b.plans.put(k, v);
            }
        });
        b.projects.addAll(projects);
        b.store = store;
        b.prefix = prefix;
        b.maxBodyBytes = maxBodyBytes;
        b.corsAllowedOrigins = new ArrayList<>(corsAllowedOrigins);
        b.pricing.putAll(pricing);
        b.cache = cache;
        b.admin = admin;
        return b;
    }

    public List<UpstreamConfig> upstreams() { return upstreams; }
    public Map<String, PlanConfig> plans() { return plans; }
    public List<ProjectConfig> projects() { return projects; }
    public StoreConfig store() { return store; }
    /** The path prefix the gateway owns, e.g. {@code /v1}. */
    public String prefix() { return prefix; }
    public long maxBodyBytes() { return maxBodyBytes; }
    public List<String> corsAllowedOrigins() { return corsAllowedOrigins; }
    /** Model prices from the config's {@code pricing:}, by model id; they add to or replace the built-in list. */
    public Map<String, ModelPrice> pricing() { return pricing; }
    /** The exact response cache's tiers and limits (per-project switches are in {@link ProjectConfig#cache()}). */
    public CacheConfig cache() { return cache; }
    /** The admin API and dashboard ({@link AdminConfig#NONE}, i.e. off, unless admin keys are configured). */
    public AdminConfig admin() { return admin; }

    public UpstreamConfig upstream(String name) {
        for (UpstreamConfig u : upstreams) {
            if (u.name().equals(name)) return u;
        }
        return null;
    }

    public ProjectConfig project(String id) {
        for (ProjectConfig p : projects) {
            if (p.id().equals(id)) return p;
        }
        return null;
    }

    /** Builds a {@link WatchLlmConfig}; each setter checks its argument at once. */
    public static final class Builder {
        private final List<UpstreamConfig> upstreams = new ArrayList<>();
        private final Map<String, PlanConfig> plans = new LinkedHashMap<>();
        private final List<ProjectConfig> projects = new ArrayList<>();
        private StoreConfig store = StoreConfig.DEFAULT;
        private String prefix = DEFAULT_PREFIX;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private List<String> corsAllowedOrigins = new ArrayList<>(List.of("*"));
        private final Map<String, ModelPrice> pricing = new LinkedHashMap<>();
        private CacheConfig cache = CacheConfig.DEFAULT;
        private AdminConfig admin = AdminConfig.NONE;

        private Builder() {
        }

        public Builder upstream(UpstreamConfig u) {
            upstreams.add(Objects.requireNonNull(u, "upstream"));
            return this;
        }

        public Builder clearUpstreams() {
            upstreams.clear();
            return this;
        }

        public Builder plan(PlanConfig p) {
            plans.put(p.name(), p);
            return this;
        }

        public Builder project(ProjectConfig p) {
            projects.add(Objects.requireNonNull(p, "project"));
            return this;
        }

        public Builder clearProjects() {
            projects.clear();
            return this;
        }

        public Builder store(StoreConfig s) {
            this.store = Objects.requireNonNull(s, "store");
            return this;
        }

        public Builder prefix(String p) {
            Objects.requireNonNull(p, "prefix");
            if (!p.startsWith("/") || p.length() < 2 || p.endsWith("/") || p.contains("//") || p.indexOf(' ') >= 0) {
                throw new ConfigException("prefix: '" + p + "' must start with '/', not end with '/' (e.g. /v1)");
            }
            this.prefix = p;
            return this;
        }

        public Builder maxBodyBytes(long n) {
            if (n < 1024 || n > 256L * 1024 * 1024) {
                throw new ConfigException("maxBodySize: must be between 1KiB and 256MiB");
            }
            this.maxBodyBytes = n;
            return this;
        }

        public Builder corsAllowedOrigins(List<String> origins) {
            this.corsAllowedOrigins = new ArrayList<>(Objects.requireNonNull(origins, "cors.allowedOrigins"));
            return this;
        }

        /** Adds or replaces the price of one model (the config's {@code pricing:}). */
        public Builder price(ModelPrice p) {
            pricing.put(Objects.requireNonNull(p, "price").model().toLowerCase(java.util.Locale.ROOT), p);
            return this;
        }

        public Builder cache(CacheConfig c) {
            this.cache = Objects.requireNonNull(c, "cache");
            return this;
        }

        /** The admin API and dashboard: prefix and admin keys (the config's {@code admin:}). */
        public Builder admin(AdminConfig a) {
            this.admin = Objects.requireNonNull(a, "admin");
            return this;
        }

        public WatchLlmConfig build() {
            return new WatchLlmConfig(this);
        }
    }
}
