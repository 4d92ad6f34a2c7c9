package dev.watchllm.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.WatchLlm;
import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import dev.watchllm.tck.RawHttp;
import dev.watchllm.testing.FakeProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * The contract through {@link WatchLlmHandler} on a bare Jetty 12 server, in front of a blocking
 * core host handler: gateway requests on the selector thread, the host's on pool threads.
 */
// Runs every spec of GatewayContract; the assertions live there, one kit for every mounting.
class JettyHandlerContractTest extends GatewayContract {
    static final String HOST_TEXT = "the host's own handler";
    /** The handler the contract runs through. */
    protected WatchLlmHandler handler;

    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        WatchLlm engine = WatchLlm.fromConfig(configFile);
        handler = new WatchLlmHandler(engine, new HostHandler());
        handler.setServeOnSelector(onSelector());
        Server server = start(handler, maxRequestThreads);
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return new Mounted("http://127.0.0.1:" + port, "/hello", HOST_TEXT, () -> {
            server.stop();
            engine.close();
        });
    }

    /** Whether gateway requests run on the selector thread (the engine here allows it). */
    protected boolean onSelector() {
        return true;
    }

    // ---- what only this mounting does ----

    @Test
    void theHandlerRunsInTheModeItWasMountedIn() {
        assertEquals(onSelector(), handler.servesOnSelector());
        assertEquals(onSelector() ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING, handler.getInvocationType());
    }

    @Test
    void bodyArrivingInPiecesIsReadWhole() throws Exception {
        provider.enqueue(FakeProvider.chat("Read whole."));
        String prompt = prompt("pieces");
        byte[] body = chatBody(prompt, false).getBytes(StandardCharsets.UTF_8);
        int half = body.length / 2;
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head(body.length).getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, half);
            out.flush();
            out.write(body, half, body.length - half);
            out.flush();
            String answer = readAnswer(s.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.contains("Read whole."), answer);
        }
        assertTrue(sentWith(prompt).body().contains(prompt));
    }

    @Test
    void wholeAnswerLeavesWithItsLengthNotChunked() throws Exception {
        provider.enqueue(FakeProvider.chat("One write."));
        byte[] body = chatBody(prompt("length"), false).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2; i++) { // the miss, then the hit
            try (Socket s = connect()) {
                s.getOutputStream().write(head(body.length).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                String answer = readAnswer(s.getInputStream());
                String headers = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
                assertTrue(headers.contains("\r\ncontent-length: "), headers);
                assertFalse(headers.contains("transfer-encoding"), headers);
                assertTrue(headers.contains("x-watchllm-cache: " + (i == 0 ? "miss" : "hit")), headers);
            }
        }
        provider.takeRequest();
    }

    @Test
    void withoutAHostHandlerOtherPathsAre404() throws Exception {
        WatchLlm engine = WatchLlm.fromConfig(config.file);
        Server server = start(new WatchLlmHandler(engine), 8);
        try {
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            RawHttp.Answer a = http.send(RawHttp.request("http://127.0.0.1:" + port + "/elsewhere").GET().build());
            assertEquals(404, a.status());
            RawHttp.Answer models = http.send(RawHttp.request("http://127.0.0.1:" + port + "/v1/models")
                    .header("Authorization", "Bearer " + config.key).GET().build());
            assertEquals(200, models.status(), models.text());
        } finally {
            server.stop();
            engine.close();
        }
    }

    private Socket connect() throws IOException {
        URI root = URI.create(mounted.root());
        Socket s = new Socket(root.getHost(), root.getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    private String head(int length) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + config.key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n";
    }

    /** Everything the server sends until it closes the connection ({@code Connection: close}). */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }

    static Server start(Handler handler, int maxThreads) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads);
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        return server;
    }

    /** What the host serves outside the gateway's prefix; blocking, as a host's servlets are. */
    static final class HostHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
            response.write(true, ByteBuffer.wrap((HOST_TEXT + " at " + Request.getPathInContext(request)).getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
