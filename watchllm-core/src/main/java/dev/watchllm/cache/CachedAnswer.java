package dev.watchllm.cache;

import dev.watchllm.openai.Endpoint;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One complete provider answer as the exact cache keeps it: either a plain JSON body or the SSE
 * events of a stream (role chunk to {@code [DONE]}, the usage chunk included). It is served in
 * whichever mode a later request asks for: {@link #plainBody} assembles a stream,
 * {@link #events} replays a plain body; each conversion is done at most once per object (the
 * heap tier keeps the object, so repeated hits pay nothing). Immutable otherwise.
 */
public final class CachedAnswer {
    /** How the provider delivered the answer. */
    public enum Form { PLAIN, STREAM }

    private final String projectId;
    private final String provider;
    private final long storedAtMillis;
    private final long expiresAtMillis;
    private final Form form;
    private final byte[] body;
    private final List<byte[]> events;
    private volatile byte[] assembled;
    private volatile List<byte[]> replayed;
    private volatile Object derived;

    private CachedAnswer(String projectId, String provider, long storedAtMillis, long expiresAtMillis, Form form, byte[] body,
                         List<byte[]> events) {
        this.projectId = Objects.requireNonNull(projectId, "projectId");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.storedAtMillis = storedAtMillis;
        this.expiresAtMillis = expiresAtMillis;
        this.form = form;
        this.body = body;
        this.events = events;
    }

    /** A plain JSON answer. */
    public static CachedAnswer plain(String projectId, String provider, long storedAtMillis, long expiresAtMillis, byte[] body) {
        return new CachedAnswer(projectId, provider, storedAtMillis, expiresAtMillis, Form.PLAIN, Objects.requireNonNull(body), null);
    }

    /** A streamed answer: whole SSE events, each ended by its blank line. */
    public static CachedAnswer stream(String projectId, String provider, long storedAtMillis, long expiresAtMillis, List<byte[]> events) {
        return new CachedAnswer(projectId, provider, storedAtMillis, expiresAtMillis, Form.STREAM, null, List.copyOf(events));
    }

    public String projectId() { return projectId; }
    /** The upstream that produced the answer ({@code X-WatchLLM-Provider} on hits). */
    public String provider() { return provider; }
    public long storedAtMillis() { return storedAtMillis; }
    public long expiresAtMillis() { return expiresAtMillis; }
    public Form form() { return form; }

    /** The answer as one JSON body, assembling a stream on first use; null if a stream does not assemble. */
    public byte[] plainBody(Endpoint endpoint) {
        if (form == Form.PLAIN) return body;
        byte[] a = assembled;
        if (a == null) {
            a = StreamAssembler.assemble(endpoint, events);
            assembled = a;
        }
        return a;
    }

    /**
     * The answer as SSE events (usage chunk included when the answer has usage, then
     * {@code [DONE]}), replaying a plain body on first use; null if a body does not replay.
     */
    public List<byte[]> events(Endpoint endpoint) {
        if (form == Form.STREAM) return events;
        List<byte[]> r = replayed;
        if (r == null) {
            r = SseReplayer.replay(endpoint, body);
            replayed = r;
        }
        return r;
    }

    /**
     * A value a reader derived from this answer (the metering's reading of its model and usage),
     * kept with the object so repeated hits from the heap tier derive it once; null until set.
     * Not stored: an answer read back from the off-heap or disk tier derives it again.
     */
    public Object derived() {
        return derived;
    }

    /** Keeps {@code value} as {@link #derived()}. */
    public void derived(Object value) {
        this.derived = value;
    }

    /** The stored payload's size in bytes. */
    public long size() {
        if (form == Form.PLAIN) return body.length;
        long n = 0;
        for (byte[] e : events) n += e.length;
        return n;
    }

    byte[] rawBody() {
        return body;
    }

    List<byte[]> rawEvents() {
        return events;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CachedAnswer)) return false;
        CachedAnswer a = (CachedAnswer) o;
        if (form != a.form || storedAtMillis != a.storedAtMillis || expiresAtMillis != a.expiresAtMillis
                || !projectId.equals(a.projectId) || !provider.equals(a.provider)) {
            return false;
        }
        if (form == Form.PLAIN) return Arrays.equals(body, a.body);
        if (events.size() != a.events.size()) return false;
        for (int i = 0; i < events.size(); i++) {
            if (!Arrays.equals(events.get(i), a.events.get(i))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(projectId, provider, storedAtMillis, form) * 31 + (form == Form.PLAIN ? Arrays.hashCode(body) : events.size());
    }
}
