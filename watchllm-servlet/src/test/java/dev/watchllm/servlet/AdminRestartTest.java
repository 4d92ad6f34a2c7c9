package dev.watchllm.servlet;

import static dev.watchllm.servlet.AdminFixture.chat;
import static dev.watchllm.servlet.AdminFixture.get;
import static dev.watchllm.servlet.AdminFixture.ok;
import static dev.watchllm.servlet.AdminFixture.project;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.watchllm.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the admin API changes outlives the engine: minted keys, revocations (of minted keys and of
 * keys declared in the config file), keys' last use, and the usage the dashboard charts.
 */
class AdminRestartTest {
    @TempDir
    Path store;

    @Test
    void mintedKeysRevocationsLastUseAndUsageSurviveARestart() throws Exception {
        TestClock clock = new TestClock("2026-03-10T09:15:00Z");
        String kept;
        String keptId;
        String dropped;
        String droppedId;
        try (Gateway first = AdminFixture.gateway(store, clock)) {
            JsonNode a = ok(first, 201, "POST", "/projects/test-proj/keys", "{\"env\":\"prod\"}");
            JsonNode b = ok(first, 201, "POST", "/projects/other-proj/keys", "{\"env\":\"dev\"}");
            kept = a.get("key").asText();
            keptId = a.get("id").asText();
            dropped = b.get("key").asText();
            droppedId = b.get("id").asText();
            clock.advance(Duration.ofMinutes(5)); // 09:20
            assertEquals(200, chat(first, kept));
            assertEquals(200, chat(first, dropped));
            assertEquals(200, chat(first, first.otherKey));
            assertEquals(200, chat(first, first.key));
            ok(first, 200, "DELETE", "/keys/" + droppedId, null);
            ok(first, 200, "DELETE", "/keys/k1", null); // declared in the config file
            assertEquals(401, chat(first, first.key));
        }
        assertTrue(Files.exists(store.resolve("keys.jsonl")));
        assertFalse(Files.readString(store.resolve("keys.jsonl")).contains(kept), "only hashes are stored");

        clock.advance(Duration.ofHours(1)); // 10:20, a new engine on the same store
        try (Gateway second = AdminFixture.gateway(store, clock)) {
            assertEquals(200, chat(second, kept), "a minted key survives the restart");
            assertEquals(401, chat(second, dropped), "a revoked minted key stays revoked");
            assertEquals(401, chat(second, second.key), "a revoked config key (by id) stays revoked");
            assertEquals(200, chat(second, second.otherKey));

            Map<String, JsonNode> keys = new HashMap<>();
            for (JsonNode k : get(second, "/projects/test-proj/keys").get("data")) keys.put(k.get("id").asText(), k);
            for (JsonNode k : get(second, "/projects/other-proj/keys").get("data")) keys.put(k.get("id").asText(), k);
            assertTrue(keys.get("k1").get("revoked").asBoolean());
            assertTrue(keys.get(droppedId).get("revoked").asBoolean());
            assertFalse(keys.get(keptId).get("revoked").asBoolean());
            assertFalse(keys.get("k2").get("revoked").asBoolean());
            assertEquals("2026-03-10T09:15:00Z", keys.get(keptId).get("createdAt").asText());
            assertEquals("2026-03-10T10:20:00Z", keys.get(keptId).get("lastUsedAt").asText());
            assertEquals("2026-03-10T09:20:00Z", keys.get(droppedId).get("lastUsedAt").asText(), "last use from before the restart");
            assertEquals("2026-03-10T09:20:00Z", keys.get("k1").get("lastUsedAt").asText());

            JsonNode p = project(second, "test-proj");
            assertEquals(3, p.get("requests").asLong(), "the month's totals were kept");
            assertEquals(1, p.get("keyCount").asInt());
            JsonNode hours = get(second, "/projects/test-proj/usage?bucket=hour&from=2026-03-10T09:00:00Z&to=2026-03-10T11:00:00Z");
            assertEquals(2, hours.get("data").get(0).get("requests").asLong(), "the hour before the restart");
            assertEquals(1, hours.get("data").get(1).get("requests").asLong(), "the hour after it");
            JsonNode otherHours = get(second, "/projects/other-proj/usage?bucket=hour&from=2026-03-10T09:00:00Z&to=2026-03-10T11:00:00Z");
            assertEquals(2, otherHours.get("data").get(0).get("requests").asLong());
            assertEquals(1, otherHours.get("data").get(1).get("requests").asLong());
        }
        // and once more: the hours written at the second close add to those of the first
        try (Gateway third = AdminFixture.gateway(store, clock)) {
            JsonNode day = get(third, "/projects/other-proj/usage?bucket=day&from=2026-03-10&to=2026-03-11");
            assertEquals(3, day.get("data").get(0).get("requests").asLong());
            JsonNode hours = get(third, "/projects/other-proj/usage?bucket=hour&from=2026-03-10T09:00:00Z&to=2026-03-10T11:00:00Z");
            assertEquals(2, hours.get("data").get(0).get("requests").asLong());
            assertEquals(1, hours.get("data").get(1).get("requests").asLong());
        }
    }
}
