package dev.watchllm.upstream;

/** Why an upstream request did not complete. */
public record UpstreamFailure(Kind kind, Throwable cause) {
    public enum Kind {
        /** No response: refused, unreachable, TLS, closed before the status line. Retriable. */
        CONNECT,
        /** No answer within the timeout (or a stream stalled longer than it). */
        TIMEOUT,
        /** The connection broke after the response began. */
        RESET,
        /** The gateway cancelled it (the client went away). */
        CANCELLED
    }

    public String describe() {
        String m = cause == null ? null : cause.getMessage();
        String name = cause == null ? "" : cause.getClass().getSimpleName();
        return m == null || m.isBlank() ? name : name + ": " + m;
    }
}
