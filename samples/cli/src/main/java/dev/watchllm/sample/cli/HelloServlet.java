package dev.watchllm.sample.cli;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Stands for the host's own servlets in the Servlet samples: a page at {@code /} that says where the gateway is. */
public final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final byte[] page;

    /** {@code server} names the host in the page, e.g. {@code Tomcat}. */
    public HelloServlet(String server, String prefix) {
        this.page = ("WatchLLM gateway on " + server + ": point an OpenAI SDK at " + prefix + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=utf-8");
        resp.getOutputStream().write(page);
    }
}
