package dev.watchllm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The config's {@code admin:} section. */
class AdminConfigTest {
    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);

    static WatchLlmConfig load(String yaml) {
        return ConfigLoader.loadBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), n -> null).build();
    }

    static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void offWithoutAdminKeys() {
        AdminConfig a = load("projects: []\n").admin();
        assertFalse(a.enabled());
        assertEquals("/watchllm", a.prefix());
        assertFalse(load("admin: { prefix: /ops }\n").admin().enabled());
    }

    @Test
    void keysAndPrefix() {
        AdminConfig a = load("admin:\n  prefix: /ops/llm\n  keys:\n    - { id: ops, sha256: \"" + SHA_A.toUpperCase() + "\" }\n").admin();
        assertTrue(a.enabled());
        assertEquals("/ops/llm", a.prefix());
        assertEquals("/ops/llm/api", a.apiPrefix());
        assertEquals("ops", a.keys().get(0).id());
        assertEquals(SHA_A, a.keys().get(0).sha256());
        assertEquals(a, load("admin:\n  prefix: /ops/llm\n  keys:\n    - { id: ops, sha256: \"" + SHA_A + "\" }\n").toBuilder().build().admin());
    }

    @Test
    void mistakesNameTheField() {
        assertTrue(error("admin: { keyz: [] }\n").startsWith("admin.keyz: unknown setting"));
        assertTrue(error("admin: { keys: [ { id: ops, sha256: nothex } ] }\n").startsWith("admin.keys[0].sha256:"));
        assertTrue(error("admin: { keys: [ { sha256: \"" + SHA_A + "\" } ] }\n").startsWith("admin.keys[0].id: required"));
        assertTrue(error("admin: { keys: [ { id: ops, sha256: \"" + SHA_A + "\", key: x } ] }\n").startsWith("admin.keys[0].key: unknown"));
        assertTrue(error("admin: { prefix: watchllm, keys: [ { id: ops, sha256: \"" + SHA_A + "\" } ] }\n").startsWith("admin.prefix:"));
        assertTrue(error("admin: { keys: { id: ops } }\n").startsWith("admin.keys: must be a list"));
        assertTrue(error("admin: [ ]\n").startsWith("admin: must be a mapping"));
    }

    @Test
    void adminKeysStandApartFromTheGatewayAndProjectKeys() {
        String keyA = "    - { id: ops, sha256: \"" + SHA_A + "\" }\n";
        assertTrue(error("http: { prefix: /v1 }\nadmin:\n  prefix: /v1\n  keys:\n" + keyA).contains("overlaps the gateway's prefix"));
        assertTrue(error("http: { prefix: /llm/v1 }\nadmin:\n  prefix: /llm\n  keys:\n" + keyA).contains("overlaps"));
        assertTrue(error("admin:\n  keys:\n" + keyA + "    - { id: ops, sha256: \"" + SHA_B + "\" }\n").contains("'ops' is used twice"));
        assertTrue(error("projects:\n  - id: p\n    keys: [ { id: k, sha256: \"" + SHA_A + "\" } ]\nadmin:\n  keys:\n" + keyA)
                .contains("admin and project keys must differ"));
        // with the admin side off, its default prefix does not constrain the gateway's
        assertEquals("/watchllm", load("http: { prefix: /watchllm }\n").prefix());
    }
}
