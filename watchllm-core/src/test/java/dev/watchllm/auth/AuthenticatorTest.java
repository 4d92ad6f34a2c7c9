package dev.watchllm.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.WatchLlmConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    final String configKey = ApiKeys.mint("prod");
    final String storedKey = ApiKeys.mint("dev");
    final InMemoryKeyStore store = new InMemoryKeyStore();
    final Authenticator auth = new Authenticator(WatchLlmConfig.builder()
            .project(ProjectConfig.of("app-prod", "pro", List.of(new KeyEntry("p1", ApiKeys.sha256Hex(configKey)))))
            .project(ProjectConfig.of("app-dev", "free", List.of())).build(), store);

    @Test
    void configAndStoredKeysAuthenticateToTheirProjectAndPlan() {
        store.add(new ApiKeyRecord("d1", "app-dev", ApiKeys.sha256Hex(storedKey), ApiKeys.mask(storedKey), Instant.EPOCH, false));
        Authenticator.Result r = auth.authenticate("Bearer " + configKey);
        assertNull(r.error());
        assertEquals("app-prod", r.caller().projectId());
        assertEquals("pro", r.caller().plan().name());
        assertEquals("p1", r.caller().keyId());
        r = auth.authenticate("bearer " + storedKey);
        assertEquals("app-dev", r.caller().projectId(), "the scheme is case-insensitive");
        assertEquals("free", r.caller().plan().name());
    }

    @Test
    void failures() {
        assertEquals("missing_api_key", auth.authenticate(null).error().code());
        assertEquals("missing_api_key", auth.authenticate("").error().code());
        assertEquals("missing_api_key", auth.authenticate("Bearer ").error().code());
        assertEquals("missing_api_key", auth.authenticate("Basic " + configKey).error().code());
        assertEquals("missing_api_key", auth.authenticate(configKey).error().code());
        assertEquals("invalid_api_key", auth.authenticate("Bearer sk-" + configKey.substring(9)).error().code());
        assertEquals("invalid_api_key", auth.authenticate("Bearer " + ApiKeys.mint("prod")).error().code());
        assertEquals(401, auth.authenticate("Bearer " + ApiKeys.mint("prod")).error().status());
    }

    @Test
    void revokedAndOrphanedKeysAreRejected() {
        store.add(new ApiKeyRecord("d1", "app-dev", ApiKeys.sha256Hex(storedKey), null, Instant.EPOCH, false));
        store.revoke("d1");
        assertEquals("invalid_api_key", auth.authenticate("Bearer " + storedKey).error().code());
        String orphan = ApiKeys.mint("dev");
        store.add(new ApiKeyRecord("o1", "deleted-project", ApiKeys.sha256Hex(orphan), null, Instant.EPOCH, false));
        assertEquals("invalid_api_key", auth.authenticate("Bearer " + orphan).error().code());
    }
}
