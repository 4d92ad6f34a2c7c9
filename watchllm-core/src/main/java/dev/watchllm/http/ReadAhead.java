package dev.watchllm.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body a non-blocking adapter read before handing the exchange to the engine: the
 * bytes, or why reading failed. Serves {@link Exchange#bodyBytes} and {@link Exchange#body}.
 */
public final class ReadAhead {
    private volatile byte[] bytes;
    private volatile IOException failure;

    /** Reading ended with {@code body}. */
    public void done(byte[] body) {
        this.bytes = body;
    }

    /** Reading failed with {@code t}. */
    public void failed(Throwable t) {
        this.failure = t instanceof IOException io ? io : new IOException(t.getMessage(), t);
    }

    /** The bytes read, or null when the adapter did not read the body. */
    public byte[] bytes() throws IOException {
        IOException f = failure;
        if (f != null) throw f;
        return bytes;
    }

    /** The bytes read as a stream, or {@code unread} when the adapter did not read the body. */
    public InputStream stream(InputStream unread) throws IOException {
        byte[] b = bytes();
        return b != null ? new ByteArrayInputStream(b) : unread;
    }
}
