package dev.watchllm.openai;

/** The OpenAI endpoints the gateway serves, relative to the prefix. */
public enum Endpoint {
    CHAT_COMPLETIONS("/chat/completions", "POST", "chat"),
    COMPLETIONS("/completions", "POST", "text_completion"),
    EMBEDDINGS("/embeddings", "POST", "embeddings"),
    MODELS("/models", "GET", "models"),
    /** The calling project's usage and cost ({@code dev.watchllm.metering}). */
    USAGE("/watchllm/usage", "GET", "usage");

    private final String path;
    private final String method;
    private final String operation;

    Endpoint(String path, String method, String operation) {
        this.path = path;
        this.method = method;
        this.operation = operation;
    }

    /** Path below the prefix, e.g. {@code /chat/completions}. */
    public String path() { return path; }
    public String method() { return method; }
    /** The GenAI operation name ({@code chat}, {@code text_completion}, {@code embeddings}). */
    public String operation() { return operation; }

    /** The endpoint for a path below the prefix, or null. */
    public static Endpoint of(String subPath) {
        switch (subPath) {
            case "/chat/completions": return CHAT_COMPLETIONS;
            case "/completions": return COMPLETIONS;
            case "/embeddings": return EMBEDDINGS;
            case "/models": return MODELS;
            case "/watchllm/usage": return USAGE;
            default: return null;
        }
    }
}
