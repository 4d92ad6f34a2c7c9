package dev.watchllm.config;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Expands {@code ${NAME}} and {@code ${NAME:-default}} in config values. Expansion happens on
 * parsed scalar values, never on the raw YAML text, so a variable's value cannot inject YAML.
 */
public final class EnvExpander {
    private final Function<String, String> env;
    private final Set<String> missing = new LinkedHashSet<>();

    public EnvExpander(Function<String, String> env) {
        this.env = env;
    }

    /** Expands {@code value}; names of unset variables without a default are recorded in {@link #missing()}. */
    public String expand(String value) {
        if (value == null || value.indexOf("${") < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start + 2);
            if (end < 0) {
                out.append(value, i, value.length());
                break;
            }
            out.append(value, i, start);
            String expr = value.substring(start + 2, end);
            String name = expr;
            String fallback = null;
            int dash = expr.indexOf(":-");
            if (dash >= 0) {
                name = expr.substring(0, dash);
                fallback = expr.substring(dash + 2);
            }
            String v = env.apply(name);
            if (v == null || v.isEmpty()) {
                if (fallback != null) {
                    v = fallback;
                } else {
                    missing.add(name);
                    v = "";
                }
            }
            out.append(v);
            i = end + 1;
        }
        return out.toString();
    }

    /** Variables referenced since the last {@link #reset()} that were not set. */
    public Set<String> missing() {
        return Set.copyOf(missing);
    }

    public void reset() {
        missing.clear();
    }
}
