package dev.watchllm.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable byte array with a hard cap, for buffering one response body. */
final class ByteSink {
    private byte[] buf;
    private int len;
    private final int cap;

    ByteSink(int initial, int cap) {
        this.buf = new byte[initial];
        this.cap = cap;
    }

    /** Appends; false when the cap would be exceeded (nothing is appended then). */
    boolean append(ByteBuffer b) {
        int n = b.remaining();
        if ((long) len + n > cap) return false;
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(len + n, Math.min(cap, buf.length * 2)));
        b.get(buf, len, n);
        len += n;
        return true;
    }

    byte[] toByteArray() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    int size() {
        return len;
    }
}
