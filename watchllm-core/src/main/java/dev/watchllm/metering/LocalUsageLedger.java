package dev.watchllm.metering;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link UsageLedger}: totals in memory, persisted under the store directory as one
 * file per month, {@code usage/totals-YYYY-MM.json} (every project, the month and each day),
 * loaded at start-up. A flush rewrites only the months changed since the last one, atomically
 * (temporary file, fsync, rename), so a crash never leaves a half-written file.
 */
public class LocalUsageLedger extends InMemoryUsageLedger {
    private static final Logger LOG = LoggerFactory.getLogger(LocalUsageLedger.class);
    private final Path dir;
    private final Object flushLock = new Object();

    public LocalUsageLedger(Path storeDir) {
        this.dir = storeDir.resolve("usage");
        load();
    }

    private void load() {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "totals-*.json")) {
            for (Path f : files) {
                try {
                    read(f);
                } catch (IOException | RuntimeException e) {
                    Path aside = f.resolveSibling(f.getFileName() + ".unreadable");
                    String why = String.valueOf(e.getMessage());
                    int nl = why.indexOf('\n');
                    LOG.error("Usage totals {} are unreadable ({}); moved aside to {} and starting that month from zero",
                            f, nl < 0 ? why : why.substring(0, nl), aside.getFileName());
                    Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read usage totals in " + dir, e);
        }
    }

    private void read(Path f) throws IOException {
        JsonNode root = UsageJson.MAPPER.readTree(f.toFile());
        String month = root.get("period").asText();
        ConcurrentHashMap<Bucket, UsageTotals> m = months.computeIfAbsent(month, k -> new ConcurrentHashMap<>());
        for (Map.Entry<String, JsonNode> p : root.path("projects").properties()) {
            m.put(new Bucket(p.getKey(), month), UsageJson.totals(p.getValue().path("month")));
            for (Map.Entry<String, JsonNode> d : p.getValue().path("days").properties()) {
                m.put(new Bucket(p.getKey(), d.getKey()), UsageJson.totals(d.getValue()));
            }
        }
    }

    /** Writes every month changed since the last flush. Safe to call from any thread, any time. */
    @Override
    public void flush() {
        synchronized (flushLock) {
            List<String> changed = new ArrayList<>(dirty);
            for (String month : changed) {
                dirty.remove(month); // before the snapshot: an add racing with it marks the month again
                try {
                    write(month, months.get(month));
                } catch (IOException e) {
                    dirty.add(month);
                    throw new UncheckedIOException("cannot write usage totals for " + month + " in " + dir, e);
                }
            }
        }
    }

    private void write(String month, Map<Bucket, UsageTotals> buckets) throws IOException {
        // project -> (period -> totals), sorted for readable, stable files
        Map<String, TreeMap<String, UsageTotals>> byProject = new TreeMap<>();
        for (Map.Entry<Bucket, UsageTotals> e : buckets.entrySet()) {
            byProject.computeIfAbsent(e.getKey().project(), k -> new TreeMap<>()).put(e.getKey().period(), e.getValue());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = UsageJson.factory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("period", month);
            g.writeObjectFieldStart("projects");
            for (Map.Entry<String, TreeMap<String, UsageTotals>> p : byProject.entrySet()) {
                g.writeObjectFieldStart(p.getKey());
                g.writeFieldName("month");
                UsageJson.writeTotals(g, p.getValue().getOrDefault(month, UsageTotals.EMPTY));
                g.writeObjectFieldStart("days");
                for (Map.Entry<String, UsageTotals> d : p.getValue().entrySet()) {
                    if (d.getKey().equals(month)) continue;
                    g.writeFieldName(d.getKey());
                    UsageJson.writeTotals(g, d.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        Files.createDirectories(dir);
        Path target = dir.resolve("totals-" + month + ".json");
        Path tmp = dir.resolve("totals-" + month + ".json.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
