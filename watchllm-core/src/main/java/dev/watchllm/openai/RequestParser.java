package dev.watchllm.openai;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Parses and checks a request body: JSON (strict UTF-8, no duplicate keys, nothing after the
 * value), an object, with the fields the endpoint requires and of the right types. Every error
 * names the offending field in {@code param}.
 */
public final class RequestParser {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Either the parsed request or the error to answer with. */
    public record Result(ParsedRequest request, OpenAiError error) {
        static Result error(String message, String param) {
            return new Result(null, OpenAiError.invalidRequest(message, param));
        }
    }

    private RequestParser() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static Result parse(Endpoint endpoint, byte[] raw) {
        if (raw.length == 0) {
            return Result.error("The request body is empty; send a JSON object.", null);
        }
        JsonNode tree;
        try (JsonParser p = MAPPER.createParser(raw)) {
            tree = MAPPER.readTree(p);
        } catch (JsonParseException e) {
            return Result.error("We could not parse the JSON body of your request: " + firstLine(e.getOriginalMessage()), null);
        } catch (IOException e) {
            return Result.error("We could not parse the JSON body of your request: " + firstLine(e.getMessage()), null);
        }
        if (tree == null || tree.isMissingNode()) {
            return Result.error("The request body is empty; send a JSON object.", null);
        }
        if (!tree.isObject()) {
            return Result.error("The request body must be a JSON object, not " + kind(tree) + ".", null);
        }
        ObjectNode body = (ObjectNode) tree;
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            return Result.error("You must provide a model parameter.", "model");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            return Result.error("'model' must be a non-empty string.", "model");
        }
        String err;
        switch (endpoint) {
            case CHAT_COMPLETIONS: err = checkChat(body); break;
            case COMPLETIONS: err = checkPrompt(body); break;
            case EMBEDDINGS: err = checkInput(body); break;
            default: err = null;
        }
        if (err != null) {
            int sep = err.indexOf('|');
            return Result.error(err.substring(sep + 1), err.substring(0, sep));
        }
        err = checkCommon(body);
        if (err != null) {
            int sep = err.indexOf('|');
            return Result.error(err.substring(sep + 1), err.substring(0, sep));
        }
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new Result(new ParsedRequest(endpoint, model.asText(), stream, includeUsage, body, raw), null);
    }

    // Errors are "param|message" to keep these checks compact.

    private static String checkChat(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) return "messages|You must provide a messages parameter.";
        if (!messages.isArray()) return "messages|'messages' must be an array of message objects.";
        if (messages.isEmpty()) return "messages|'messages' must contain at least one message.";
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String f = "messages[" + i + "]";
            if (!m.isObject()) return f + "|'" + f + "' must be an object.";
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) return f + ".role|'" + f + ".role' must be a string.";
            switch (role.asText()) {
                case "system": case "user": case "assistant": case "tool": case "developer": case "function": break;
                default: return f + ".role|'" + role.asText() + "' is not a valid role for '" + f + ".role'.";
            }
            JsonNode content = m.get("content");
            if (content != null && !(content.isTextual() || content.isArray() || content.isNull())) {
                return f + ".content|'" + f + ".content' must be a string, an array of content parts, or null.";
            }
        }
        return null;
    }

    private static String checkPrompt(ObjectNode body) {
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) return "prompt|You must provide a prompt parameter.";
        if (!(prompt.isTextual() || prompt.isArray())) return "prompt|'prompt' must be a string or an array.";
        return null;
    }

    private static String checkInput(ObjectNode body) {
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) return "input|You must provide an input parameter.";
        if (!(input.isTextual() || input.isArray())) return "input|'input' must be a string or an array.";
        if (input.isArray() && input.isEmpty()) return "input|'input' must not be empty.";
        if (body.has("dimensions") && !(body.get("dimensions").canConvertToInt() && body.get("dimensions").isIntegralNumber() && body.get("dimensions").asInt() > 0)) {
            return "dimensions|'dimensions' must be a positive integer.";
        }
        JsonNode enc = body.get("encoding_format");
        if (enc != null && !(enc.isTextual() && (enc.asText().equals("float") || enc.asText().equals("base64")))) {
            return "encoding_format|'encoding_format' must be 'float' or 'base64'.";
        }
        return null;
    }

    private static String checkCommon(ObjectNode body) {
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) return "stream|'stream' must be a boolean.";
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) return "stream_options|'stream_options' must be an object.";
            JsonNode iu = so.get("include_usage");
            if (iu != null && !iu.isNull() && !iu.isBoolean()) return "stream_options.include_usage|'stream_options.include_usage' must be a boolean.";
        }
        for (String f : new String[] {"max_tokens", "max_completion_tokens", "n"}) {
            JsonNode v = body.get(f);
            if (v != null && !v.isNull() && !(v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 1)) {
                return f + "|'" + f + "' must be an integer of at least 1.";
            }
        }
        JsonNode t = body.get("temperature");
        if (t != null && !t.isNull() && !(t.isNumber() && t.asDouble() >= 0 && t.asDouble() <= 2)) {
            return "temperature|'temperature' must be a number between 0 and 2.";
        }
        JsonNode tp = body.get("top_p");
        if (tp != null && !tp.isNull() && !(tp.isNumber() && tp.asDouble() >= 0 && tp.asDouble() <= 1)) {
            return "top_p|'top_p' must be a number between 0 and 1.";
        }
        return null;
    }

    private static String kind(JsonNode n) {
        if (n.isArray()) return "an array";
        if (n.isTextual()) return "a string";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "a boolean";
        if (n.isNull()) return "null";
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed JSON";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
