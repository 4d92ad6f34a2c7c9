package dev.watchllm.servlet;

import dev.watchllm.WatchLlm;
import dev.watchllm.config.ConfigException;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves WatchLLM's prefix (default {@code /v1}) from any Servlet 6 container; every other
 * request goes down the host's chain untouched. Must be {@code async-supported}.
 *
 * <p>From {@code web.xml}: the config file comes from init-param {@code config}, else system
 * property {@code watchllm.config}, else {@code $WATCHLLM_CONFIG}; init-params (or
 * {@code watchllm.*} system properties) {@code prefix}, {@code maxBodySize} and {@code storeDir}
 * override the file. The filter then owns the engine and closes it in {@link #destroy()}.
 *
 * <p>Programmatically: {@code new WatchLlmFilter(engine)}; the host keeps owning the engine.
 */
public final class WatchLlmFilter implements Filter {
    static final String[] SETTINGS = {"prefix", "maxBodySize", "storeDir"};
    private WatchLlm engine;
    private boolean ownsEngine;

    /** For {@code web.xml}: the engine is built in {@link #init} from the config file. */
    public WatchLlmFilter() {
    }

    /** Serves with an engine the host built and will close. */
    public WatchLlmFilter(WatchLlm engine) {
        this.engine = engine;
    }

    @Override
    public void init(FilterConfig fc) throws ServletException {
        if (engine != null) return;
        String file = fc.getInitParameter("config");
        if (file == null || file.isBlank()) file = System.getProperty("watchllm.config");
        if (file == null || file.isBlank()) file = System.getenv("WATCHLLM_CONFIG");
        if (file == null || file.isBlank()) {
            throw new ServletException("WatchLlmFilter: no config file: set init-param 'config', system property "
                    + "'watchllm.config' or environment variable WATCHLLM_CONFIG");
        }
        try {
            WatchLlmConfig.Builder b = ConfigLoader.loadBuilder(Path.of(file.trim()), System::getenv);
            Map<String, String> settings = new LinkedHashMap<>();
            for (String s : SETTINGS) settings.put(s, System.getProperty("watchllm." + s));
            ConfigLoader.applyOverrides(b, settings);
            settings.clear();
            for (String s : SETTINGS) settings.put(s, fc.getInitParameter(s));
            ConfigLoader.applyOverrides(b, settings);
            engine = WatchLlm.builder().config(b.build()).build();
            ownsEngine = true;
        } catch (ConfigException e) {
            throw new ServletException("WatchLlmFilter: " + e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse resp)) {
            chain.doFilter(request, response);
            return;
        }
        String uri = req.getRequestURI();
        String path = uri.substring(Math.min(req.getContextPath().length(), uri.length()));
        if (!engine.owns(path)) {
            chain.doFilter(request, response);
            return;
        }
        if (!req.isAsyncSupported()) {
            byte[] body = ("{\"error\":{\"message\":\"WatchLlmFilter must be declared async-supported (and so must every filter "
                    + "before it).\",\"type\":\"server_error\",\"param\":null,\"code\":\"server_error\"}}").getBytes(StandardCharsets.UTF_8);
            resp.setStatus(500);
            resp.setContentType("application/json");
            resp.getOutputStream().write(body);
            return;
        }
        Object hostContext = engine.captureHostContext(); // on the container's thread, before going asynchronous
        AsyncContext async = req.startAsync(req, resp);
        async.setTimeout(0); // the engine bounds every wait itself
        ServletExchange ex = new ServletExchange(async, req, resp, path, hostContext);
        if ("POST".equals(req.getMethod())) {
            ex.readBodyThen(engine.config().maxBodyBytes(), () -> engine.handle(ex));
        } else {
            engine.handle(ex);
        }
    }

    @Override
    public void destroy() {
        if (ownsEngine && engine != null) {
            engine.close();
        }
    }

    /** The engine this filter serves with. */
    public WatchLlm engine() {
        return engine;
    }
}
