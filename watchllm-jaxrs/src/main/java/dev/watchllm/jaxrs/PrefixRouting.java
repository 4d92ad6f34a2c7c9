package dev.watchllm.jaxrs;

import dev.watchllm.WatchLlm;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * Routes the engine's prefix to {@link WatchLlmResource}. A JAX-RS {@code @Path} is fixed at
 * compile time while the prefix is configuration, so this pre-matching filter moves requests under
 * the prefix to the resource's own root, keeping the rest of the path; requests that arrive at that
 * root directly are refused with a 404. Every other request is left alone.
 */
@PreMatching
public final class PrefixRouting implements ContainerRequestFilter {
    private final WatchLlm engine;

    PrefixRouting(WatchLlm engine) {
        this.engine = engine;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        String rel = uri.getPath(false);
        String path = rel.startsWith("/") ? rel : "/" + rel;
        if (engine.owns(path)) {
            String query = uri.getRequestUri().getRawQuery();
            String base = uri.getBaseUri().toString();
            request.setRequestUri(URI.create(base + (base.endsWith("/") ? "" : "/") + WatchLlmResource.ROOT + path
                    + (query == null ? "" : "?" + query)));
        } else if (path.startsWith(WatchLlmResource.ROOT_PATH)) {
            throw new NotFoundException();
        }
    }
}
