package dev.watchllm.limit;

import dev.watchllm.openai.OpenAiError;

/**
 * The outcome of {@link PlanLimiter#admit}: admitted, or rejected with the 429 to answer. A value,
 * not an exception: going over a limit is an expected outcome.
 */
public final class Admission {
    static final Admission ADMITTED = new Admission(null);

    private final OpenAiError error;

    private Admission(OpenAiError error) {
        this.error = error;
    }

    static Admission rejected(OpenAiError error) {
        return new Admission(error);
    }

    public boolean admitted() {
        return error == null;
    }

    /** The error to answer with ({@code rate_limit_exceeded} or {@code insufficient_quota}); null when admitted. */
    public OpenAiError error() {
        return error;
    }
}
