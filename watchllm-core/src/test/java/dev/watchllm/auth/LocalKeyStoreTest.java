package dev.watchllm.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyStoreTest {
    @TempDir
    Path dir;

    @Test
    void keysAndRevocationsSurviveARestartAsHashesOnly() throws Exception {
        String a = ApiKeys.mint("prod");
        String b = ApiKeys.mint("dev");
        LocalKeyStore store = new LocalKeyStore(dir.resolve("nested"));
        store.add(new ApiKeyRecord("a", "p1", ApiKeys.sha256Hex(a), ApiKeys.mask(a), Instant.parse("2025-01-01T00:00:00Z"), false));
        store.add(new ApiKeyRecord("b", "p2", ApiKeys.sha256Hex(b), ApiKeys.mask(b), Instant.parse("2025-01-02T00:00:00Z"), false));
        assertTrue(store.revoke("b"));
        assertFalse(store.revoke("nope"));
        store.close();

        String file = Files.readString(dir.resolve("nested/keys.jsonl"));
        assertFalse(file.contains(a) || file.contains(b), file);
        assertFalse(file.contains(a.substring(14)) || file.contains(b.substring(13)), "only the masked hint: " + file);

        Files.writeString(dir.resolve("nested/keys.jsonl"), "{broken\n\n", StandardOpenOption.APPEND);
        LocalKeyStore again = new LocalKeyStore(dir.resolve("nested"));
        ApiKeyRecord ra = again.findByHash(ApiKeys.sha256Hex(a));
        assertEquals("p1", ra.projectId());
        assertEquals(ApiKeys.mask(a), ra.hint());
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), ra.createdAt());
        assertFalse(ra.revoked());
        assertTrue(again.findByHash(ApiKeys.sha256Hex(b)).revoked(), "the revocation was replayed");
        assertNull(again.findByHash(ApiKeys.sha256Hex(ApiKeys.mint("prod"))));
        assertEquals(1, again.list("p1").size());
    }

    @Test
    void noFileUntilAKeyIsAdded() {
        new LocalKeyStore(dir.resolve("empty")).close();
        assertFalse(Files.exists(dir.resolve("empty/keys.jsonl")));
    }
}
