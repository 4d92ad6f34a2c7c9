package dev.watchllm.upstream;

import dev.watchllm.config.UpstreamConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks the upstream for a model: the first whose glob matches, followed by its fallbacks in
 * order (each once). Chains are computed per upstream at start-up, so routing costs a few glob
 * matches per request.
 */
public final class UpstreamRouter {
    private final List<Entry> entries = new ArrayList<>();
    private final List<UpstreamConfig> all;

    private record Entry(UpstreamConfig upstream, ModelGlob[] globs, List<UpstreamConfig> chain) {
    }

    public UpstreamRouter(List<UpstreamConfig> upstreams) {
        this.all = List.copyOf(upstreams);
        Map<String, UpstreamConfig> byName = new LinkedHashMap<>();
        for (UpstreamConfig u : upstreams) byName.put(u.name(), u);
        for (UpstreamConfig u : upstreams) {
            List<UpstreamConfig> chain = new ArrayList<>();
            chain.add(u);
            for (String f : u.fallbacks()) {
                UpstreamConfig fb = byName.get(f);
                if (fb != null && !chain.contains(fb)) chain.add(fb);
            }
            ModelGlob[] globs = u.models().stream().map(ModelGlob::new).toArray(ModelGlob[]::new);
            entries.add(new Entry(u, globs, List.copyOf(chain)));
        }
    }

    /** The upstream chain for {@code model} (primary first), or an empty list when none matches. */
    public List<UpstreamConfig> route(String model) {
        for (Entry e : entries) {
            for (ModelGlob g : e.globs) {
                if (g.matches(model)) return e.chain;
            }
        }
        return List.of();
    }

    public List<UpstreamConfig> all() {
        return all;
    }
}
