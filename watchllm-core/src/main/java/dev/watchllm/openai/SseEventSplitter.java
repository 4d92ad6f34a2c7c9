package dev.watchllm.openai;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a server-sent-events byte stream, arriving in arbitrary slices, into whole events (each
 * including its terminating blank line). Not thread-safe: one stream, one splitter.
 */
public final class SseEventSplitter {
    private byte[] buf = new byte[512];
    private int len;
    private int scanFrom;

    /** Feeds a slice; calls {@code onEvent} for every event it completes, in order. */
    public void feed(ByteBuffer slice, Consumer<byte[]> onEvent) {
        int n = slice.remaining();
        ensure(len + n);
        slice.get(buf, len, n);
        len += n;
        int start = 0;
        int i = Math.max(scanFrom, 0);
        while (i < len) {
            byte b = buf[i];
            int end = -1;
            if (b == '\n') {
                if (i + 1 < len && buf[i + 1] == '\n') end = i + 2;
                else if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') end = i + 3;
            } else if (b == '\r' && i + 1 < len && buf[i + 1] == '\r') {
                end = i + 2;
            }
            if (end > 0) {
                onEvent.accept(Arrays.copyOfRange(buf, start, end));
                start = end;
                i = end;
            } else {
                i++;
            }
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, len - start);
            len -= start;
        }
        // a boundary may straddle slices: rescan the last two bytes next time
        scanFrom = Math.max(0, len - 2);
    }

    /** Bytes received after the last complete event (a stream cut mid-event). */
    public int pending() {
        return len;
    }

    /** The incomplete tail, e.g. to relay a final event that lacked its blank line. */
    public byte[] drainPending() {
        byte[] out = Arrays.copyOf(buf, len);
        len = 0;
        scanFrom = 0;
        return out;
    }

    private void ensure(int cap) {
        if (cap > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(cap, buf.length * 2));
        }
    }
}
