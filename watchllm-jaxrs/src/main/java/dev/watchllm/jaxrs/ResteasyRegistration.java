package dev.watchllm.jaxrs;

import jakarta.ws.rs.core.Configuration;
import org.jboss.resteasy.spi.Registry;
import org.jboss.resteasy.spi.ResteasyProviderFactory;

/** RESTEasy registers resources only from an Application, so the feature adds its resource to the deployment's registry. */
final class ResteasyRegistration {
    private ResteasyRegistration() {
    }

    static void addResource(Configuration configuration, Object resource) {
        Registry registry = configuration instanceof ResteasyProviderFactory f ? f.getContextData(Registry.class) : null;
        if (registry == null) {
            throw new IllegalStateException("WatchLlmFeature: RESTEasy's registry is not available while features are configured");
        }
        registry.addSingletonResource(resource);
    }
}
