package dev.watchllm.jaxrs;

import dev.watchllm.WatchLlm;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;

/**
 * Hands every request under the engine's prefix to the engine, suspended: the request thread
 * returns at once and the engine answers later, from any thread. Only the methods that may carry a
 * body take one (the engine answers the others before it would read one). Registered by
 * {@link WatchLlmFeature} (which routes the prefix here); not meant to be registered directly.
 */
@Path(WatchLlmResource.ROOT + "{path: /.*}")
public final class WatchLlmResource {
    /** The resource's own root, below the application path; {@link PrefixRouting} maps the prefix onto it. */
    static final String ROOT = "__watchllm";
    static final String ROOT_PATH = "/" + ROOT;

    private final WatchLlm engine;
    private final Delivery.Factory deliveries;

    WatchLlmResource(WatchLlm engine, Delivery.Factory deliveries) {
        this.engine = engine;
        this.deliveries = deliveries;
    }

    @POST
    public void post(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                     InputStream body, @Suspended AsyncResponse async) {
        serve("POST", path, uri, headers, body, async);
    }

    @GET
    public void get(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                    @Suspended AsyncResponse async) {
        serve("GET", path, uri, headers, InputStream.nullInputStream(), async);
    }

    @OPTIONS
    public void options(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                        @Suspended AsyncResponse async) {
        serve("OPTIONS", path, uri, headers, InputStream.nullInputStream(), async);
    }

    @HEAD
    public void head(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                     @Suspended AsyncResponse async) {
        serve("HEAD", path, uri, headers, InputStream.nullInputStream(), async);
    }

    @PUT
    public void put(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                    InputStream body, @Suspended AsyncResponse async) {
        serve("PUT", path, uri, headers, body, async);
    }

    @DELETE
    public void delete(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                       @Suspended AsyncResponse async) {
        serve("DELETE", path, uri, headers, InputStream.nullInputStream(), async);
    }

    @PATCH
    public void patch(@Encoded @PathParam("path") String path, @Context UriInfo uri, @Context HttpHeaders headers,
                      InputStream body, @Suspended AsyncResponse async) {
        serve("PATCH", path, uri, headers, body, async);
    }

    private void serve(String method, String path, UriInfo uri, HttpHeaders headers, InputStream body, AsyncResponse async) {
        engine.handle(new JaxrsExchange(method, path, uri.getRequestUri().getRawQuery(), headers, body, async, deliveries));
    }
}
