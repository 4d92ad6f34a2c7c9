package dev.watchllm.jaxrs;

import dev.watchllm.WatchLlm;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;

/**
 * Hands every request under the engine's prefix to the engine, suspended: the request thread
 * returns at once and the engine answers later, from any thread. Registered by
 * {@link WatchLlmFeature} (which routes the prefix here); not meant to be registered directly.
 * Every method goes to the engine, so an unsupported one gets the same OpenAI-shaped 405 as
 * through the Servlet filter; only the methods that may carry a body take one.
 */
@Path(WatchLlmResource.ROOT + "{path: /.*}")
public final class WatchLlmResource {
    /** The resource's own root, below the application path; {@link PrefixRouting} maps the prefix onto it. */
    static final String ROOT = "__watchllm";
    static final String ROOT_PATH = "/" + ROOT;

    private final WatchLlm engine;
    private final Delivery.Factory deliveries;
    @Context
    private UriInfo uri; // the runtime injects per-request proxies into a singleton's fields
    @Context
    private HttpHeaders headers;

    WatchLlmResource(WatchLlm engine, Delivery.Factory deliveries) {
        this.engine = engine;
        this.deliveries = deliveries;
    }

    @POST
    public void post(InputStream body, @Suspended AsyncResponse async) {
        serve("POST", body, async);
    }

    @PUT
    public void put(InputStream body, @Suspended AsyncResponse async) {
        serve("PUT", body, async);
    }

    @PATCH
    public void patch(InputStream body, @Suspended AsyncResponse async) {
        serve("PATCH", body, async);
    }

    @GET
    public void get(@Suspended AsyncResponse async) {
        serve("GET", InputStream.nullInputStream(), async);
    }

    @HEAD
    public void head(@Suspended AsyncResponse async) {
        serve("HEAD", InputStream.nullInputStream(), async);
    }

    @OPTIONS
    public void options(@Suspended AsyncResponse async) {
        serve("OPTIONS", InputStream.nullInputStream(), async);
    }

    @DELETE
    public void delete(@Suspended AsyncResponse async) {
        serve("DELETE", InputStream.nullInputStream(), async);
    }

    private void serve(String method, InputStream body, AsyncResponse async) {
        String rel = uri.getPath(false); // ROOT + the path below the application, as PrefixRouting made it
        String path = rel.substring(rel.indexOf(ROOT) + ROOT.length());
        engine.handle(new JaxrsExchange(method, path, uri.getRequestUri().getRawQuery(), headers, body, async, deliveries));
    }
}
