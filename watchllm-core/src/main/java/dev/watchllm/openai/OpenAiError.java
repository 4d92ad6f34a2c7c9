package dev.watchllm.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An error answered in OpenAI's shape: {@code {"error":{"message","type","param","code"}}}. A value,
 * not an exception: rejecting a request is an expected outcome.
 */
public final class OpenAiError {
    private static final JsonFactory JSON = new JsonFactory();

    public static final OpenAiError MISSING_API_KEY = new OpenAiError(401, "invalid_request_error", "missing_api_key",
            "You didn't provide an API key. Send it as 'Authorization: Bearer lgw_...'.", null);
    public static final OpenAiError NOT_BEARER = new OpenAiError(401, "invalid_request_error", "missing_api_key",
            "The Authorization header must be 'Bearer <key>'.", null);
    public static final OpenAiError MALFORMED_API_KEY = new OpenAiError(401, "invalid_request_error", "invalid_api_key",
            "Incorrect API key provided: WatchLLM keys look like lgw_<env>_<secret>.", null);
    public static final OpenAiError INVALID_API_KEY = new OpenAiError(401, "invalid_request_error", "invalid_api_key",
            "Incorrect API key provided, or the key was revoked.", null);

    private final int status;
    private final String type;
    private final String code;
    private final String message;
    private final String param;
    private volatile byte[] json;

    public OpenAiError(int status, String type, String code, String message, String param) {
        this.status = status;
        this.type = type;
        this.code = code;
        this.message = message;
        this.param = param;
    }

    public static OpenAiError invalidRequest(String message, String param) {
        return new OpenAiError(400, "invalid_request_error", "invalid_request_error", message, param);
    }

    public static OpenAiError notFound(String method, String path) {
        return new OpenAiError(404, "invalid_request_error", "not_found", "Unknown request URL: " + method + " " + path + ".", null);
    }

    public static OpenAiError methodNotAllowed(String method, String path, String allowed) {
        return new OpenAiError(405, "invalid_request_error", "method_not_allowed",
                "Method " + method + " is not allowed on " + path + "; use " + allowed + ".", null);
    }

    public static OpenAiError tooLarge(long limit) {
        return new OpenAiError(413, "invalid_request_error", "request_too_large",
                "The request body is larger than the limit of " + limit + " bytes.", null);
    }

    public static OpenAiError upstreamUnavailable(String message) {
        return new OpenAiError(502, "server_error", "upstream_unavailable", message, null);
    }

    public static OpenAiError upstreamTimeout(String message) {
        return new OpenAiError(504, "server_error", "upstream_timeout", message, null);
    }

    public static OpenAiError noUpstream(String model) {
        return new OpenAiError(400, "invalid_request_error", "model_not_found",
                "No upstream is configured for model '" + model + "'.", "model");
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public String message() { return message; }
    public String param() { return param; }

    /** The JSON body; computed once per instance. */
    public byte[] toJson() {
        byte[] j = json;
        if (j == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128 + message.length());
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeObjectFieldStart("error");
                g.writeStringField("message", message);
                g.writeStringField("type", type);
                if (param == null) g.writeNullField("param"); else g.writeStringField("param", param);
                g.writeStringField("code", code);
                g.writeEndObject();
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            j = out.toByteArray();
            json = j;
        }
        return j;
    }

    @Override
    public String toString() {
        return status + " " + code + ": " + message;
    }
}
