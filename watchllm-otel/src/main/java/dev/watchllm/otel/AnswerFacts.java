package dev.watchllm.otel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.watchllm.openai.SseEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer says about itself, for span attributes: id, model, finish reasons, an error's
 * code and type, and (only when content capture is on) the text. One streaming pass per JSON
 * document, no tree.
 */
final class AnswerFacts {
    private static final JsonFactory JSON = new JsonFactory();

    String id;
    String model;
    final List<String> finishReasons = new ArrayList<>(1);
    String errorCode;
    String errorType;
    StringBuilder text;

    static AnswerFacts of(byte[] body, List<byte[]> events, boolean withText) {
        AnswerFacts f = new AnswerFacts();
        if (withText) f.text = new StringBuilder();
        if (body != null && body.length > 0) {
            f.read(body, "message");
        } else if (events != null) {
            for (byte[] e : events) {
                String data = SseEvents.data(e);
                if (data == null || data.startsWith("[DONE]")) continue;
                f.read(data.getBytes(StandardCharsets.UTF_8), "delta");
            }
        }
        return f;
    }

    private void read(byte[] json, String part) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("id".equals(name) && t == JsonToken.VALUE_STRING) {
                    if (id == null) id = p.getText();
                } else if ("model".equals(name) && t == JsonToken.VALUE_STRING) {
                    if (model == null) model = p.getText();
                } else if ("choices".equals(name) && t == JsonToken.START_ARRAY) {
                    choices(p, part);
                } else if ("error".equals(name) && t == JsonToken.START_OBJECT) {
                    error(p);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON (an SSE comment, a text error): nothing to learn from it
        }
    }

    private void choices(JsonParser p, String part) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("finish_reason".equals(name) && t == JsonToken.VALUE_STRING) {
                    finishReasons.add(p.getText());
                } else if (text != null && part.equals(name) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("content".equals(f) && v == JsonToken.VALUE_STRING) text.append(p.getText());
                        else p.skipChildren();
                    }
                } else if (text != null && "text".equals(name) && t == JsonToken.VALUE_STRING) {
                    text.append(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private void error(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if ("code".equals(name) && t == JsonToken.VALUE_STRING) errorCode = p.getText();
            else if ("type".equals(name) && t == JsonToken.VALUE_STRING) errorType = p.getText();
            else p.skipChildren();
        }
    }
}
