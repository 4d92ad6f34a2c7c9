package dev.watchllm.bench.load;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The ceilings of the load run: a Jetty 12 server, configured as the sample's host is (thread
 * pool, connector defaults), that does only what any gateway must. For a cache hit, it reads each
 * request's body and answers the same chat completion the provider does, nothing else: what it
 * serves per second is what the host alone allows a gateway that answers from memory, by the way
 * the answer is mounted:
 * <ul>
 *   <li>{@code core-nonblocking}: a core handler Jetty may run on its selector thread (as
 *       {@code TrivialProvider} is); a gateway cannot be mounted so, as its engine may block
 *       (a disk cache tier, a Redis store) and its host's own servlets do;</li>
 *   <li>{@code core}: a core handler run on a pool thread, as {@code WatchLlmHandler} is;</li>
 *   <li>{@code servlet}: an async filter in an ee10 servlet context with non-blocking read and
 *       write listeners, as {@code WatchLlmFilter} is.</li>
 * </ul>
 * For a miss, {@code relay --upstream URL}: a core handler on a pool thread that reads the body and
 * sends it to {@code URL + path} through Jetty's {@code HttpClient} (set up as WatchLLM's default
 * upstream client: its own pool, no content decoding), then writes the provider's status and body
 * back: the bare relay, what a gateway adds at the least before it checks anything.
 *
 * <pre>
 * java -cp benchmarks.jar dev.watchllm.bench.load.CeilingServer core|core-nonblocking|servlet|relay [--port N] [--upstream URL]
 * </pre>
 */
public final class CeilingServer {
    private static final byte[] ANSWER = new OpenAiBodies(16).completion;

    private CeilingServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CeilingServer core|core-nonblocking|servlet [--port N]");
            System.exit(2);
        }
        int port = 0;
        String upstream = null;
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (args[i].equals("--port")) port = Integer.parseInt(args[i + 1]);
            if (args[i].equals("--upstream")) upstream = args[i + 1];
        }
        QueuedThreadPool pool = new QueuedThreadPool(200);
        pool.setName("http");
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // as the sample's host
        // as the sample's host: one selector per core when answers are made on the selectors, else Jetty's default (half the cores)
        int selectors = args[0].equals("core-nonblocking") ? Runtime.getRuntime().availableProcessors() : -1;
        ServerConnector connector = new ServerConnector(server, -1, selectors, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        server.setHandler(switch (args[0]) {
            case "core-nonblocking" -> new Handler.Abstract.NonBlocking() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    return answer(request, response, callback);
                }
            };
            case "core" -> new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    return answer(request, response, callback);
                }
            };
            case "servlet" -> servletContext();
            case "relay" -> relay(upstream);
            default -> throw new IllegalArgumentException("unknown mount '" + args[0] + "': core, core-nonblocking, servlet or relay");
        });
        server.start();
        System.out.println("Fixed answers (" + args[0] + ") listening on http://127.0.0.1:" + connector.getLocalPort() + "/v1");
        server.join();
    }

    private static boolean answer(Request request, Response response, Callback callback) {
        Content.Source.asByteBuffer(request, new Promise<>() {
            @Override
            public void succeeded(ByteBuffer body) {
                response.getHeaders().put("Content-Type", "application/json");
                response.write(true, ByteBuffer.wrap(ANSWER), callback);
            }

            @Override
            public void failed(Throwable x) {
                callback.failed(x);
            }
        });
        return true;
    }

    private static Handler relay(String upstream) throws Exception {
        if (upstream == null) throw new IllegalArgumentException("relay needs --upstream URL (e.g. http://127.0.0.1:PORT)");
        QueuedThreadPool clientPool = new QueuedThreadPool(200, 4);
        clientPool.setName("relay-client");
        HttpClient client = new HttpClient();
        client.setExecutor(clientPool);
        client.setFollowRedirects(false);
        client.getContentDecoderFactories().clear();
        client.start();
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.asByteBuffer(request, new Promise<>() {
                    @Override
                    public void succeeded(ByteBuffer body) {
                        byte[] bytes = new byte[body.remaining()];
                        body.get(bytes);
                        client.newRequest(upstream + request.getHttpURI().getPath()).method(request.getMethod())
                                .headers(h -> h.put("Authorization", "Bearer sk-ceiling"))
                                .body(new BytesRequestContent("application/json", bytes))
                                .send(new BufferingResponseListener(1 << 20) {
                                    @Override
                                    public void onComplete(Result result) {
                                        if (result.isFailed()) {
                                            callback.failed(result.getFailure());
                                            return;
                                        }
                                        response.setStatus(result.getResponse().getStatus());
                                        response.getHeaders().put("Content-Type", "application/json");
                                        response.write(true, ByteBuffer.wrap(getContent()), callback);
                                    }
                                });
                    }

                    @Override
                    public void failed(Throwable x) {
                        callback.failed(x);
                    }
                });
                return true;
            }
        };
    }

    private static ServletContextHandler servletContext() {
        ServletContextHandler ctx = new ServletContextHandler("/");
        FilterHolder filter = new FilterHolder(new Filter() {
            @Override
            public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException {
                AsyncContext async = req.startAsync();
                async.setTimeout(0);
                ServletInputStream in = req.getInputStream();
                ServletOutputStream out = resp.getOutputStream();
                out.setWriteListener(new WriteListener() {
                    @Override
                    public void onWritePossible() {
                        // the one write happens when the body is in: a fixed answer fits the output buffer
                    }

                    @Override
                    public void onError(Throwable t) {
                        async.complete();
                    }
                });
                in.setReadListener(new ReadListener() {
                    private final byte[] chunk = new byte[8192];
                    private boolean answered;

                    @Override
                    public void onDataAvailable() throws IOException {
                        while (in.isReady() && in.read(chunk) >= 0) {
                            // the body is read and dropped, as a gateway reads it before answering
                        }
                        if (in.isFinished()) onAllDataRead();
                    }

                    @Override
                    public void onAllDataRead() throws IOException {
                        if (answered) return;
                        answered = true;
                        HttpServletResponse r = (HttpServletResponse) resp;
                        r.setContentType("application/json");
                        r.setContentLength(ANSWER.length);
                        if (out.isReady()) out.write(ANSWER);
                        async.complete();
                    }

                    @Override
                    public void onError(Throwable t) {
                        async.complete();
                    }
                });
            }
        });
        filter.setAsyncSupported(true);
        ctx.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addServlet(new ServletHolder(new HttpServlet() {
        }), "/");
        return ctx;
    }
}
