package dev.watchllm.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** A plain HTTP/1.1 client for byte-exact checks: what any client really receives. */
public final class RawHttp {
    /** A whole answer. */
    public record Answer(int status, HttpHeaders headers, byte[] body) {
        /** The first value of a header, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public List<String> all(String name) {
            return headers.allValues(name);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    }

    public Answer send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a request whose body is read as it arrives. */
    public java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> open(HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads one SSE event (up to and including its blank line). */
    public static String readEvent(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            if (c == '\n' && prev == '\n') break;
            prev = c;
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
