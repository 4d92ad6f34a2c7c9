package dev.watchllm.upstream;

/** Why an upstream request did not complete. */
public record UpstreamFailure(Kind kind, Throwable cause) {
    private static final int MAX_MESSAGE = 120;

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

    /**
     * One short line for logs and client-facing messages: the exception's type and, when it is
     * short, its message. Long messages (Jetty puts a whole connection dump, with internal
     * addresses, into some) are left out.
     */
    public String describe() {
        String m = cause == null ? null : cause.getMessage();
        String name = cause == null ? "" : cause.getClass().getSimpleName();
        if (m != null) {
            int nl = m.indexOf('\n');
            if (nl >= 0) m = m.substring(0, nl);
        }
        return m == null || m.isBlank() || m.length() > MAX_MESSAGE ? name : name + ": " + m;
    }

}
