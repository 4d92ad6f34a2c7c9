package dev.watchllm.admin;

import dev.watchllm.auth.ProjectKeys;
import dev.watchllm.config.AdminConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.http.Exchange;
import dev.watchllm.http.RequestIds;
import dev.watchllm.http.WatchLlmHeaders;
import dev.watchllm.limit.LimitState;
import dev.watchllm.metering.HourlyUsage;
import dev.watchllm.metering.UsageLedger;
import java.time.Clock;
import java.util.function.Function;

/**
 * The admin side of the engine: the admin API at {@code <prefix>/api} and the dashboard at
 * {@code <prefix>/} (prefix {@code admin.prefix}, default {@code /watchllm}). Exists only when the
 * config has admin keys; the engine then {@link #owns} the prefix besides its OpenAI one.
 */
public final class AdminConsole {
    private final String prefix;
    private final String apiPrefix;
    private final AdminApi api;
    private final Dashboard dashboard;

    public AdminConsole(WatchLlmConfig config, ProjectKeys keys, UsageLedger ledger, HourlyUsage hourly,
                        Function<String, LimitState> limits, Clock clock) {
        AdminConfig admin = config.admin();
        this.prefix = admin.prefix();
        this.apiPrefix = admin.apiPrefix();
        this.api = new AdminApi(config, keys, ledger, new UsageSeries(ledger, hourly), limits, clock);
        this.dashboard = new Dashboard(prefix);
    }

    /** True when {@code path} is the admin prefix or below it. */
    public boolean owns(String path) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** Serves an exchange whose path this console {@link #owns}; always ends it. */
    public void handle(Exchange ex) {
        ex.header(WatchLlmHeaders.REQUEST_ID, RequestIds.acceptOrCreate(ex.header(WatchLlmHeaders.REQUEST_ID)));
        ex.header("Cache-Control", "no-store");
        ex.header("X-Content-Type-Options", "nosniff");
        String path = ex.path();
        if (path.startsWith(apiPrefix) && (path.length() == apiPrefix.length() || path.charAt(apiPrefix.length()) == '/')) {
            api.handle(ex, path.substring(apiPrefix.length()));
        } else {
            dashboard.handle(ex, path.substring(prefix.length()));
        }
    }
}
