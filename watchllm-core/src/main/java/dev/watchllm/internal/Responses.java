package dev.watchllm.internal;

import dev.watchllm.http.Exchange;
import dev.watchllm.openai.OpenAiError;

/** Writes whole responses to an {@link Exchange}. */
public final class Responses {
    private Responses() {
    }

    public static void json(Exchange ex, int status, byte[] body) {
        ex.status(status);
        ex.header("Content-Type", "application/json");
        ex.header("Content-Length", Integer.toString(body.length));
        ex.write(body, true, null);
        ex.end();
    }

    public static void error(Exchange ex, OpenAiError error) {
        json(ex, error.status(), error.toJson());
    }
}
