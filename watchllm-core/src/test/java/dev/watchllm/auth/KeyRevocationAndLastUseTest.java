package dev.watchllm.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.config.KeyEntry;
import dev.watchllm.config.ProjectConfig;
import dev.watchllm.config.StoreConfig;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revoking keys declared in the config file, and each key's last use: kept by the store, across restarts. */
class KeyRevocationAndLastUseTest {
    @TempDir
    Path dir;

    final String configKey = ApiKeys.mint("prod");

    WatchLlmConfig config() {
        return WatchLlmConfig.builder().store(new StoreConfig("local", dir, null))
                .project(ProjectConfig.of("p1", "pro", List.of(new KeyEntry("c1", ApiKeys.sha256Hex(configKey))))).build();
    }

    @Test
    void aRevokedConfigKeyIsRefusedAndStaysRevokedAfterARestart() {
        TestClock clock = new TestClock("2026-03-10T12:00:00Z");
        LocalKeyStore store = new LocalKeyStore(dir);
        Authenticator auth = new Authenticator(config(), store, clock);
        assertTrue(auth.authenticate("Bearer " + configKey).caller() != null);

        ProjectKeys keys = new ProjectKeys(config(), store, clock);
        ProjectKeys.KeyInfo revoked = keys.revoke("c1");
        assertTrue(revoked.revoked());
        assertEquals(ProjectKeys.Source.CONFIG, revoked.source());
        assertEquals("invalid_api_key", auth.authenticate("Bearer " + configKey).error().code());
        assertNull(keys.revoke("no-such-key"));
        store.close();

        LocalKeyStore again = new LocalKeyStore(dir);
        assertTrue(again.isRevoked("c1"), "the revocation list was replayed");
        assertEquals("invalid_api_key", new Authenticator(config(), again, clock).authenticate("Bearer " + configKey).error().code());
        assertEquals(0, new ProjectKeys(config(), again, clock).activeCount("p1"));
    }

    @Test
    void lastUseMovesAtMostOnceASecondAndIsWrittenLazily() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        InMemoryKeyStore counting = new InMemoryKeyStore() {
            @Override
            protected void lastUseChanged() {
                changes.incrementAndGet();
            }
        };
        long t = Instant.parse("2026-03-10T12:00:00.100Z").toEpochMilli();
        for (int i = 0; i < 1000; i++) counting.used("k", t + i % 900); // a busy second
        assertEquals(1, changes.get());
        assertEquals(Instant.parse("2026-03-10T12:00:00Z"), counting.lastUsed("k"));
        counting.used("k", t + 1000);
        assertEquals(2, changes.get());
        counting.used("k", t - 5000); // an older time never moves it back
        assertEquals(Instant.parse("2026-03-10T12:00:01Z"), counting.lastUsed("k"));
        assertNull(counting.lastUsed("never"));

        LocalKeyStore store = new LocalKeyStore(dir);
        store.used("c1", t);
        assertFalse(Files.exists(dir.resolve("keys-last-used.json")), "nothing is written on the request path");
        store.flush();
        String file = Files.readString(dir.resolve("keys-last-used.json"));
        assertTrue(file.contains("\"c1\" : \"2026-03-10T12:00:00Z\""), file);
        store.used("c1", t + 60_000);
        store.close();
        assertEquals(Instant.parse("2026-03-10T12:01:00Z"), new LocalKeyStore(dir).lastUsed("c1"));
    }

    @Test
    void theAuthenticatorNotesEachKeysLastUse() {
        TestClock clock = new TestClock("2026-03-10T12:00:00Z");
        InMemoryKeyStore store = new InMemoryKeyStore();
        Authenticator auth = new Authenticator(config(), store, clock);
        ProjectKeys keys = new ProjectKeys(config(), store, clock);
        ProjectKeys.MintedKey minted = keys.mint("p1", "dev");
        assertNull(keys.find(minted.id()).lastUsedAt());
        clock.advance(Duration.ofMinutes(3));
        assertTrue(auth.authenticate("Bearer " + minted.key()).caller() != null);
        assertEquals(Instant.parse("2026-03-10T12:03:00Z"), keys.find(minted.id()).lastUsedAt());
        assertNull(keys.find("c1").lastUsedAt(), "a failed or other key's call is not this key's use");
        assertEquals("invalid_api_key", auth.authenticate("Bearer " + ApiKeys.mint("dev")).error().code());
        assertEquals(2, keys.list("p1").size());
    }
}
