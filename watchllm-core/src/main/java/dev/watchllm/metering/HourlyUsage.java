package dev.watchllm.metering;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage totals per project per UTC hour: what the admin API's {@code bucket=hour} series reads
 * (day buckets come from the {@link UsageLedger}). A {@link UsageSink}, so it is fed on the usage
 * thread, off the request path, from the same records as the day files.
 *
 * <p>Kept in memory for the days records arrive for (the newest and the one before it) and
 * persisted per day as {@code usage/hours-YYYY-MM-DD.json} under the store directory: rewritten
 * atomically at most every 30 s while records arrive, when a day leaves memory, and on close.
 * Before a day's first record is added its file is read in, so a restart carries on from it. Days
 * not in memory are read from their files. A crash loses at most the last 30 s, as the ledger's
 * totals do; records the usage thread drops when 65,536 behind are missing here as in the day files.
 */
public final class HourlyUsage implements UsageSink {
    private static final Logger LOG = LoggerFactory.getLogger(HourlyUsage.class);
    private static final long WRITE_EVERY_NANOS = 30_000_000_000L;
    private static final String[] HOURS = new String[24];

    static {
        for (int h = 0; h < 24; h++) HOURS[h] = (h < 10 ? "0" : "") + h;
    }

    private final Path dir;
    /** epoch day -> that day's hours; written by the usage thread only, read by anyone. */
    private final ConcurrentHashMap<Long, Day> days = new ConcurrentHashMap<>();
    private long newestDay = Long.MIN_VALUE;
    private long lastWrite = System.nanoTime();

    /** One day: per project, 24 hourly totals (null: nothing recorded in that hour). */
    private static final class Day {
        final LocalDate date;
        final ConcurrentHashMap<String, AtomicReferenceArray<UsageTotals>> projects = new ConcurrentHashMap<>();
        boolean dirty;

        Day(LocalDate date) {
            this.date = date;
        }

        AtomicReferenceArray<UsageTotals> project(String id) {
            return projects.computeIfAbsent(id, k -> new AtomicReferenceArray<>(24));
        }
    }

    public HourlyUsage(Path storeDir) {
        this.dir = storeDir.resolve("usage");
    }

    /** The file of one day's hourly totals. */
    public static Path file(Path storeDir, LocalDate day) {
        return storeDir.resolve("usage").resolve("hours-" + day + ".json");
    }

    @Override
    public void accept(UsageRecord r) throws IOException {
        long second = r.time().getEpochSecond();
        long epochDay = Math.floorDiv(second, 86_400L);
        int hour = (int) (Math.floorMod(second, 86_400L) / 3_600L);
        Day d = days.get(epochDay);
        if (d == null) d = open(epochDay);
        AtomicReferenceArray<UsageTotals> h = d.project(r.project());
        UsageTotals t = h.get(hour);
        h.set(hour, (t == null ? UsageTotals.EMPTY : t).plus(r)); // one writer: the usage thread
        d.dirty = true;
    }

    /** Brings a day into memory (from its file, if any); a newer day sends the ones before yesterday's to disk. */
    private Day open(long epochDay) throws IOException {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        Day d = new Day(date);
        try {
            read(date, d);
        } catch (IOException | RuntimeException e) {
            Path f = file(date);
            Path aside = f.resolveSibling(f.getFileName() + ".unreadable");
            LOG.error("Hourly usage {} is unreadable ({}); moved aside to {} and starting that day's hours from zero",
                    f, oneLine(e), aside.getFileName());
            Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
        }
        days.put(epochDay, d);
        if (epochDay > newestDay) {
            newestDay = epochDay;
            for (Map.Entry<Long, Day> e : days.entrySet()) {
                if (e.getKey() < newestDay - 1) {
                    try {
                        write(e.getValue());
                        days.remove(e.getKey()); // after the write: a reader finds it in memory or whole on disk
                    } catch (IOException ex) {
                        LOG.warn("Cannot write hourly usage of {} (kept in memory, tried again later): {}", e.getValue().date, ex.toString());
                    }
                }
            }
        }
        return d;
    }

    /** Writes changed days, at most every 30 s (the usage thread calls this after every batch). */
    @Override
    public void flush() throws IOException {
        if (System.nanoTime() - lastWrite < WRITE_EVERY_NANOS) return;
        writeChanged();
    }

    @Override
    public void close() throws IOException {
        writeChanged();
    }

    private void writeChanged() throws IOException {
        lastWrite = System.nanoTime();
        for (Day d : days.values()) write(d);
    }

    /**
     * The project's totals for each UTC hour of {@code day}: 24 entries, {@link UsageTotals#EMPTY}
     * for an hour with nothing recorded. Safe from any thread.
     */
    public UsageTotals[] hours(String project, LocalDate day) throws IOException {
        UsageTotals[] out = new UsageTotals[24];
        Arrays.fill(out, UsageTotals.EMPTY);
        Day d = days.get(day.toEpochDay());
        if (d == null) {
            d = new Day(day);
            read(day, d);
        }
        AtomicReferenceArray<UsageTotals> h = d.projects.get(project);
        if (h != null) {
            for (int i = 0; i < 24; i++) {
                UsageTotals t = h.get(i);
                if (t != null) out[i] = t;
            }
        }
        return out;
    }

    private Path file(LocalDate day) {
        return dir.resolve("hours-" + day + ".json");
    }

    private void read(LocalDate date, Day into) throws IOException {
        JsonNode root;
        try {
            root = UsageJson.MAPPER.readTree(file(date).toFile());
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return;
        }
        for (Map.Entry<String, JsonNode> p : root.path("projects").properties()) {
            AtomicReferenceArray<UsageTotals> h = into.project(p.getKey());
            for (Map.Entry<String, JsonNode> e : p.getValue().properties()) {
                int hour = Integer.parseInt(e.getKey());
                if (hour < 0 || hour > 23) throw new IOException("hour '" + e.getKey() + "' is not 00-23");
                h.set(hour, UsageJson.totals(e.getValue()));
            }
        }
    }

    private void write(Day d) throws IOException {
        if (!d.dirty) return;
        d.dirty = false;
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = UsageJson.factory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("day", d.date.toString());
            g.writeObjectFieldStart("projects");
            for (Map.Entry<String, AtomicReferenceArray<UsageTotals>> p : new TreeMap<>(d.projects).entrySet()) {
                g.writeObjectFieldStart(p.getKey());
                for (int h = 0; h < 24; h++) {
                    UsageTotals t = p.getValue().get(h);
                    if (t == null) continue;
                    g.writeFieldName(HOURS[h]);
                    UsageJson.writeTotals(g, t);
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        Files.createDirectories(dir);
        Path target = file(d.date);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        } catch (IOException e) {
            d.dirty = true;
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String oneLine(Exception e) {
        String why = String.valueOf(e.getMessage());
        int nl = why.indexOf('\n');
        return nl < 0 ? why : why.substring(0, nl);
    }
}
