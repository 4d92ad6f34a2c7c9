package dev.watchllm.admin;

import dev.watchllm.http.Exchange;
import dev.watchllm.internal.Responses;
import dev.watchllm.openai.OpenAiError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard: one static page ({@code dashboard.html}) with its script and stylesheet, served
 * from the library's resources at {@code <admin prefix>/}. Everything it shows comes from the admin
 * API, called by the page with the admin key it holds in memory. The strict Content-Security-Policy
 * allows only these same-origin files: no inline script, no external resource, no framing.
 */
final class Dashboard {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record Asset(byte[] body, String contentType) {
    }

    private final Map<String, Asset> assets;
    private final String redirect;

    /** @param prefix the admin prefix, e.g. {@code /watchllm} */
    Dashboard(String prefix) {
        this.assets = Map.of(
                "/", new Asset(resource("dashboard.html"), "text/html; charset=utf-8"),
                "/dashboard.js", new Asset(resource("dashboard.js"), "text/javascript; charset=utf-8"),
                "/dashboard.css", new Asset(resource("dashboard.css"), "text/css; charset=utf-8"));
        // relative, so it holds below any context path: /ctx/watchllm -> /ctx/watchllm/
        this.redirect = prefix.substring(prefix.lastIndexOf('/') + 1) + "/";
    }

    /** Serves {@code sub}: the path below the admin prefix ({@code ""}, {@code /}, {@code /dashboard.js}, ...). */
    void handle(Exchange ex, String sub) {
        if (sub.isEmpty()) {
            ex.status(308);
            ex.header("Location", redirect);
            ex.header("Content-Length", "0");
            ex.end();
            return;
        }
        Asset a = assets.get(sub);
        if (a == null) {
            Responses.error(ex, OpenAiError.notFound(ex.method(), ex.path()));
            return;
        }
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            Responses.error(ex, OpenAiError.methodNotAllowed(ex.method(), ex.path(), "GET"));
            return;
        }
        ex.status(200);
        ex.header("Content-Type", a.contentType());
        ex.header("Content-Length", Integer.toString(a.body().length));
        ex.header("Content-Security-Policy", CSP);
        ex.header("X-Frame-Options", "DENY");
        ex.header("Referrer-Policy", "no-referrer");
        ex.header("Cache-Control", "no-cache");
        if (ex.method().equals("GET")) ex.write(a.body(), true, null);
        ex.end();
    }

    private static byte[] resource(String name) {
        try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource dev/watchllm/admin/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
