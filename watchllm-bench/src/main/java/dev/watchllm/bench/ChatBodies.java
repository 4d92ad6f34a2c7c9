package dev.watchllm.bench;

import java.nio.charset.StandardCharsets;

/** Chat request bodies of a chosen prompt size, shaped like an SDK's (system + user message, a few options). */
public final class ChatBodies {
    private ChatBodies() {
    }

    /** A chat completion request whose user message is {@code promptBytes} bytes of plain ASCII prose. */
    public static byte[] chat(String model, int promptBytes, boolean stream) {
        StringBuilder prompt = new StringBuilder(promptBytes);
        String words = "the quick brown fox jumps over the lazy dog while the gateway counts every token it relays ";
        while (prompt.length() < promptBytes) {
            prompt.append(words, 0, Math.min(words.length(), promptBytes - prompt.length()));
        }
        String json = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"temperature\":0.2,\"max_tokens\":256"
                + (stream ? ",\"stream\":true" : "") + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
