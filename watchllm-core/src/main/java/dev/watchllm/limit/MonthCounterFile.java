package dev.watchllm.limit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counters that outlive a minute, in {@code limits.json} under {@code store.dir}:
 * <pre>{"version":1,"projects":{"myapp-prod":{"month":"2025-06","requests":1234,"spentMicroUsd":5678900}}}</pre>
 * Written whole to a temporary file and moved over the old one, so a crash leaves either the old
 * or the new file, never half of one. A file that cannot be read is moved aside (its counters are
 * lost, and that is logged) rather than blocking start-up.
 */
final class MonthCounterFile {
    static final String NAME = "limits.json";
    private static final Logger LOG = LoggerFactory.getLogger(MonthCounterFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One project's persisted month. */
    record Entry(YearMonth month, long requests, long spentMicros) {
    }

    private final Path file;
    private final Path tmp;

    MonthCounterFile(Path dir) {
        this.file = dir.resolve(NAME);
        this.tmp = dir.resolve(NAME + ".tmp");
    }

    Path path() {
        return file;
    }

    Map<String, Entry> load() {
        Map<String, Entry> out = new HashMap<>();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            moveAside("it is not valid JSON (" + e.getMessage() + ")");
            return out;
        }
        JsonNode projects = root == null ? null : root.get("projects");
        if (projects == null || !projects.isObject()) {
            moveAside("it has no \"projects\" object");
            return out;
        }
        Iterator<Map.Entry<String, JsonNode>> it = projects.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            try {
                YearMonth month = YearMonth.parse(n.path("month").asText());
                long requests = n.path("requests").asLong(-1);
                long spent = n.path("spentMicroUsd").asLong(-1);
                if (requests < 0 || spent < 0) throw new IllegalArgumentException("negative or missing counter");
                out.put(e.getKey(), new Entry(month, requests, spent));
            } catch (DateTimeParseException | IllegalArgumentException ex) {
                LOG.warn("Ignoring the saved limit counters of project '{}' in {}: {}", e.getKey(), file, ex.getMessage());
            }
        }
        return out;
    }

    void save(Map<String, Entry> entries) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        ObjectNode projects = root.putObject("projects");
        entries.forEach((id, e) -> {
            ObjectNode n = projects.putObject(id);
            n.put("month", e.month().toString());
            n.put("requests", e.requests());
            n.put("spentMicroUsd", e.spentMicros());
        });
        Files.createDirectories(file.getParent());
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void moveAside(String why) {
        Path aside = file.resolveSibling(NAME + ".unreadable-" + System.currentTimeMillis());
        try {
            Files.move(file, aside);
            LOG.error("Cannot read {}: {}. Moved it to {}; this month's request and budget counters start from zero.", file, why, aside);
        } catch (IOException e) {
            LOG.error("Cannot read {}: {}; this month's request and budget counters start from zero.", file, why);
        }
    }
}
