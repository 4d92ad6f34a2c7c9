package dev.watchllm.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys minted at run time and revocations, appended as JSON lines to {@code keys.jsonl} under the
 * store directory and replayed at start-up. Only hashes and masked hints are written. A revocation
 * of a key the store does not hold (one declared in the config file) is the same line, and puts that
 * id on the revocation list. Each key's last use is kept in memory and written to
 * {@code keys-last-used.json} by {@link #flush()} (the engine calls it every minute and on close).
 */
public final class LocalKeyStore extends InMemoryKeyStore {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKeyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Path lastUsedFile;
    private volatile boolean lastUseDirty;

    public LocalKeyStore(Path dir) {
        this.file = dir.resolve("keys.jsonl");
        this.lastUsedFile = dir.resolve("keys-last-used.json");
        load();
        loadLastUse();
    }

    private void load() {
        if (!Files.exists(file)) return;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            int n = 0;
            for (String line : lines) {
                n++;
                if (line.isBlank()) continue;
                try {
                    JsonNode j = JSON.readTree(line);
                    if (j.has("revoke")) {
                        String id = j.get("revoke").asText();
                        ApiKeyRecord r = byId(id);
                        if (r != null) put(r.revoke());
                        else markDeclaredRevoked(id); // a key from the config file
                    } else {
                        put(new ApiKeyRecord(j.get("id").asText(), j.get("project").asText(), j.get("sha256").asText(),
                                j.path("hint").asText(null), Instant.parse(j.get("createdAt").asText()), false));
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Skipping unreadable line {} of {}", n, file);
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot read key store {}: {}", file, e.toString());
        }
    }

    @Override
    public synchronized void add(ApiKeyRecord r) {
        ObjectNode j = JSON.createObjectNode();
        j.put("id", r.id()).put("project", r.projectId()).put("sha256", r.sha256()).put("hint", r.hint())
                .put("createdAt", r.createdAt().toString());
        append(j);
        super.add(r);
    }

    @Override
    public synchronized boolean revoke(String keyId) {
        if (byId(keyId) == null) return false;
        ObjectNode j = JSON.createObjectNode();
        j.put("revoke", keyId).put("at", Instant.now().toString());
        append(j);
        return super.revoke(keyId);
    }

    @Override
    public synchronized void revokeDeclared(String keyId) {
        ObjectNode j = JSON.createObjectNode();
        j.put("revoke", keyId).put("at", Instant.now().toString());
        append(j);
        super.revokeDeclared(keyId);
    }

    @Override
    protected void lastUseChanged() {
        if (!lastUseDirty) lastUseDirty = true;
    }

    private void loadLastUse() {
        if (!Files.exists(lastUsedFile)) return;
        try {
            JsonNode j = JSON.readTree(lastUsedFile.toFile());
            for (Map.Entry<String, JsonNode> e : j.properties()) {
                restoreLastUse(e.getKey(), Instant.parse(e.getValue().asText()).getEpochSecond());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read {} (keys' last use starts unknown): {}", lastUsedFile, e.toString());
        }
    }

    /** Writes every key's last use to {@code keys-last-used.json} when it changed since the last write (atomically). */
    @Override
    public void flush() {
        if (!lastUseDirty) return;
        synchronized (lastUsedFile) {
            lastUseDirty = false; // before the snapshot: a use racing with it marks the file dirty again
            ObjectNode j = JSON.createObjectNode();
            lastUseSnapshot().forEach((id, s) -> j.put(id, Instant.ofEpochSecond(s).toString()));
            Path tmp = lastUsedFile.resolveSibling(lastUsedFile.getFileName() + ".tmp");
            try {
                Files.createDirectories(lastUsedFile.getParent());
                Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(j));
                Files.move(tmp, lastUsedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                lastUseDirty = true;
                throw new UncheckedIOException("cannot write " + lastUsedFile, e);
            }
        }
    }

    @Override
    public void close() {
        flush();
    }

    private void append(ObjectNode j) {
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(JSON.writeValueAsString(j));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write key store " + file, e);
        }
    }
}
