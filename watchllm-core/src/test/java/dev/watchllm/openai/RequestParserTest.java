package dev.watchllm.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestParserTest {
    static RequestParser.Result parse(Endpoint ep, String body) {
        return RequestParser.parse(ep, body.getBytes(StandardCharsets.UTF_8));
    }

    static OpenAiError error(Endpoint ep, String body) {
        RequestParser.Result r = parse(ep, body);
        assertNull(r.request(), body);
        assertEquals(400, r.error().status());
        assertEquals("invalid_request_error", r.error().type());
        assertEquals("invalid_request_error", r.error().code());
        return r.error();
    }

    @Test
    void aValidChatRequest() {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":null},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],"
                + "\"temperature\":0.2,\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        RequestParser.Result r = parse(Endpoint.CHAT_COMPLETIONS, body);
        assertNull(r.error());
        ParsedRequest p = r.request();
        assertEquals(Endpoint.CHAT_COMPLETIONS, p.endpoint());
        assertEquals("gpt-4o-mini", p.model());
        assertTrue(p.stream());
        assertTrue(p.includeUsage());
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), p.raw(), "the client's bytes are kept for forwarding");
        assertEquals(0.2, p.body().get("temperature").asDouble());
    }

    @Test
    void defaultsAreNoStreamNoUsage() {
        ParsedRequest p = parse(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":null}").request();
        assertFalse(p.stream());
        assertFalse(p.includeUsage());
    }

    @Test
    void otherEndpoints() {
        assertEquals("text-embedding-3-small", parse(Endpoint.EMBEDDINGS, "{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"dimensions\":256,"
                + "\"encoding_format\":\"base64\"}").request().model());
        assertNull(parse(Endpoint.COMPLETIONS, "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"Say hi\"}").error());
        assertNull(parse(Endpoint.COMPLETIONS, "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":[\"a\",\"b\"]}").error());
    }

    @Test
    void notJsonObjects() {
        assertTrue(RequestParser.parse(Endpoint.CHAT_COMPLETIONS, new byte[0]).error().message().contains("empty"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "   ").message().contains("empty"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "[1,2]").message().contains("not an array"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "\"text\"").message().contains("not a string"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "42").message().contains("not a number"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "null").message().contains("JSON object"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "{\"model\":").message().startsWith("We could not parse the JSON body"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"a\"} {\"model\":\"b\"}").message().startsWith("We could not parse"), "trailing data");
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"a\",\"model\":\"b\",\"messages\":[]}").message().contains("Duplicate field 'model'"));
        assertTrue(error(Endpoint.CHAT_COMPLETIONS, "{'model':'a'}").message().startsWith("We could not parse"));
    }

    @Test
    void invalidUtf8IsNamed() {
        byte[] b = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"XX\"}]}".getBytes(StandardCharsets.US_ASCII);
        int i = new String(b, StandardCharsets.US_ASCII).indexOf("XX");
        b[i] = (byte) 0xC3;
        b[i + 1] = (byte) 0x28;
        OpenAiError e = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, b).error();
        assertTrue(e.message().contains("UTF-8"), e.message());
        assertFalse(e.message().contains("\n"), "one line");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CHAT_COMPLETIONS|{\"messages\":[]}|model",
        "CHAT_COMPLETIONS|{\"model\":null}|model",
        "CHAT_COMPLETIONS|{\"model\":1}|model",
        "CHAT_COMPLETIONS|{\"model\":\" \"}|model",
        "CHAT_COMPLETIONS|{\"model\":[\"a\"]}|model",
        "CHAT_COMPLETIONS|{\"model\":\"m\"}|messages",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":{}}|messages",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[]}|messages",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"},7]}|messages[1]",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}|messages[0].role",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"god\"}]}|messages[0].role",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{}}]}|messages[0].content",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"stream\":\"yes\"}|stream",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"stream\":1}|stream",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"stream_options\":true}|stream_options",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"max_tokens\":0}|max_tokens",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"max_completion_tokens\":1.5}|max_completion_tokens",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"n\":\"2\"}|n",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"temperature\":2.5}|temperature",
        "CHAT_COMPLETIONS|{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"top_p\":-0.1}|top_p",
        "COMPLETIONS|{\"model\":\"m\"}|prompt",
        "COMPLETIONS|{\"model\":\"m\",\"prompt\":{}}|prompt",
        "EMBEDDINGS|{\"model\":\"m\"}|input",
        "EMBEDDINGS|{\"model\":\"m\",\"input\":[]}|input",
        "EMBEDDINGS|{\"model\":\"m\",\"input\":5}|input",
        "EMBEDDINGS|{\"model\":\"m\",\"input\":\"x\",\"dimensions\":0}|dimensions",
        "EMBEDDINGS|{\"model\":\"m\",\"input\":\"x\",\"dimensions\":\"256\"}|dimensions",
        "EMBEDDINGS|{\"model\":\"m\",\"input\":\"x\",\"encoding_format\":\"int8\"}|encoding_format",
    })
    void fieldErrorsNameTheField(Endpoint ep, String body, String param) {
        OpenAiError e = error(ep, body);
        assertEquals(param, e.param(), e.message());
        assertTrue(e.toJson().length > 0);
    }

    @Test
    void errorJsonIsOpenAiShaped() throws Exception {
        OpenAiError e = error(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"stream\":\"\\\"quoted\\\"\"}");
        var tree = RequestParser.mapper().readTree(e.toJson());
        assertEquals(1, tree.size());
        var err = tree.get("error");
        assertEquals("stream", err.get("param").asText());
        assertEquals("invalid_request_error", err.get("code").asText());
        assertTrue(RequestParser.mapper().readTree(OpenAiError.MISSING_API_KEY.toJson()).get("error").get("param").isNull());
    }
}
