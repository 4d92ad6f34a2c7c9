package dev.watchllm.openai;

import java.nio.charset.StandardCharsets;

/** Byte-level looks at one SSE event, cheap enough to run on every event of every stream. */
public final class SseEvents {
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHOICES = "\"choices\"".getBytes(StandardCharsets.US_ASCII);

    private SseEvents() {
    }

    /** The event's {@code data:} payload (lines joined by '\n'), or null when it has none. */
    public static String data(byte[] event) {
        StringBuilder sb = null;
        int i = 0;
        while (i < event.length) {
            int eol = i;
            while (eol < event.length && event[eol] != '\n' && event[eol] != '\r') eol++;
            if (startsWith(event, i, eol, DATA)) {
                int s = i + DATA.length;
                if (s < eol && event[s] == ' ') s++;
                if (sb == null) sb = new StringBuilder(eol - s);
                else sb.append('\n');
                sb.append(new String(event, s, eol - s, StandardCharsets.UTF_8));
            }
            i = eol + 1;
        }
        return sb == null ? null : sb.toString();
    }

    /** True for {@code data: [DONE]}. */
    public static boolean isDone(byte[] event) {
        int i = indexOf(event, DATA, 0);
        if (i < 0) return false;
        int s = i + DATA.length;
        while (s < event.length && event[s] == ' ') s++;
        return startsWith(event, s, event.length, DONE);
    }

    /** True for the usage-only chunk OpenAI sends last when asked: {@code "choices":[]}. */
    public static boolean isUsageOnly(byte[] event) {
        int i = indexOf(event, CHOICES, 0);
        if (i < 0) return false;
        int p = skipWs(event, i + CHOICES.length);
        if (p >= event.length || event[p] != ':') return false;
        p = skipWs(event, p + 1);
        if (p >= event.length || event[p] != '[') return false;
        p = skipWs(event, p + 1);
        return p < event.length && event[p] == ']';
    }

    private static int skipWs(byte[] a, int p) {
        while (p < a.length && (a[p] == ' ' || a[p] == '\t' || a[p] == '\n' || a[p] == '\r')) p++;
        return p;
    }

    private static boolean startsWith(byte[] a, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) return false;
        for (int k = 0; k < prefix.length; k++) {
            if (a[from + k] != prefix[k]) return false;
        }
        return true;
    }

    static int indexOf(byte[] a, byte[] needle, int from) {
        outer:
        for (int i = from; i <= a.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (a[i + k] != needle[k]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
