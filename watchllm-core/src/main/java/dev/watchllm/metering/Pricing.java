package dev.watchllm.metering;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Model prices: the built-in list ({@code pricing.json}, see its {@code listPricesAsOf}) plus
 * overrides from the config's {@code pricing:}. Immutable and thread-safe.
 *
 * <pre>{@code
 * ModelPrice p = pricing.resolve("openai/gpt-4o-mini-2024-07-18");   // the gpt-4o-mini entry
 * long micros = p == null ? -1 : p.costMicros(TokenUsage.of(1200, 0, 300, 0));
 * }</pre>
 *
 * An unknown model resolves to null: callers must treat it as unpriced, never as free.
 */
public final class Pricing {
    private static final String RESOURCE = "/dev/watchllm/metering/pricing.json";
    private static final int MAX_REMEMBERED = 4096;
    private static final ModelPrice UNKNOWN = new ModelPrice("", 0, 0, 0);

    private final Map<String, ModelPrice> byId;
    private final String asOf;
    /** Resolutions already made, so the hot path does no string work; bounded against arbitrary client model names. */
    private final ConcurrentHashMap<String, ModelPrice> resolved = new ConcurrentHashMap<>();

    private Pricing(Map<String, ModelPrice> byId, String asOf) {
        this.byId = Collections.unmodifiableMap(byId);
        this.asOf = asOf;
    }

    /** The built-in price list shipped in {@code pricing.json}. */
    public static Pricing builtIn() {
        try (InputStream in = Pricing.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** A price list in the format of {@code pricing.json}. */
    public static Pricing parse(InputStream json) throws IOException {
        JsonNode root = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build().readTree(json);
        Map<String, ModelPrice> m = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("models").properties()) {
            String id = e.getKey().toLowerCase(Locale.ROOT);
            JsonNode n = e.getValue();
            ModelPrice p = ModelPrice.ofUsdPerMillion(id, decimal(n, "input", id), n.has("cachedInput") ? decimal(n, "cachedInput", id) : null,
                    decimal(n, "output", id));
            m.put(id, p);
            for (JsonNode alias : n.path("aliases")) {
                m.put(alias.asText().toLowerCase(Locale.ROOT), p);
            }
        }
        return new Pricing(m, root.path("listPricesAsOf").asText(null));
    }

    private static BigDecimal decimal(JsonNode n, String field, String id) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException("pricing.json: " + id + "." + field + " must be a number");
        return v.decimalValue();
    }

    /** This list with {@code overrides} added, replacing built-in entries of the same id. */
    public Pricing with(Collection<ModelPrice> overrides) {
        if (overrides.isEmpty()) return this;
        Map<String, ModelPrice> m = new HashMap<>(byId);
        for (ModelPrice p : overrides) m.put(p.model().toLowerCase(Locale.ROOT), p);
        return new Pricing(m, asOf);
    }

    /**
     * The price of {@code model}, resolving dated suffixes ({@code gpt-4o-mini-2024-07-18}),
     * {@code -latest} and provider prefixes ({@code openai/gpt-4o}); null when unknown.
     */
    public ModelPrice resolve(String model) {
        if (model == null || model.isEmpty()) return null;
        ModelPrice p = resolved.get(model);
        if (p == null) {
            p = ModelIds.resolve(model, byId::get);
            if (p == null) p = UNKNOWN;
            if (resolved.size() < MAX_REMEMBERED) resolved.putIfAbsent(model, p);
        }
        return p == UNKNOWN ? null : p;
    }

    /** The month the built-in list prices were taken from ({@code listPricesAsOf}), or null. */
    public String asOf() {
        return asOf;
    }

    /** Every entry by id (aliases included), sorted. */
    public Map<String, ModelPrice> entries() {
        return Collections.unmodifiableMap(new TreeMap<>(byId));
    }
}
