package dev.watchllm.semantic.index;

import dev.watchllm.semantic.VectorIndex.Entry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index on disk: one append-only file per project ({@code <project>.vectors}) of put and
 * remove records, replayed at start (expired entries skipped) and rewritten without dead records
 * when it has grown well past the live entries. One writer thread does all file I/O, so callers
 * never wait on a disk and no lock is held across a write. A torn last record (a crash mid-write)
 * is ignored and the file rewritten.
 */
final class IndexLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexLog.class);
    private static final int MAGIC = 0x574c5631; // "WLV1"
    private static final byte PUT = 1;
    private static final byte REMOVE = 2;
    private static final String SUFFIX = ".vectors";
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Runnable STOP = () -> { };

    /** What a project's file held: live entries by partition scope and key, and the records read. */
    record Loaded(String projectId, Map<String, Map<String, Entry>> scopes, int records, boolean torn) {
    }

    private final Path dir;
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Map<String, DataOutputStream> open = new HashMap<>(); // writer thread only
    private final Thread writer;

    IndexLog(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.writer = new Thread(this::run, "watchllm-semantic-log");
        writer.setDaemon(true);
        writer.start();
    }

    Path dir() {
        return dir;
    }

    /** Reads every project file in the directory. */
    List<Loaded> readAll(Instant now) throws IOException {
        List<Loaded> out = new java.util.ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().endsWith(SUFFIX)) continue;
                try {
                    out.add(read(f, now));
                } catch (IOException e) {
                    LOG.warn("Skipping unreadable semantic index file {}: {}", f, e.toString());
                }
            }
        }
        return out;
    }

    private static Loaded read(Path f, Instant now) throws IOException {
        Map<String, Map<String, Entry>> scopes = new LinkedHashMap<>();
        int records = 0;
        boolean torn = false;
        String project;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            if (in.readInt() != MAGIC) throw new IOException("not a WatchLLM semantic index file");
            project = in.readUTF();
            while (true) {
                int op;
                try {
                    op = in.read();
                    if (op < 0) break;
                    String scope = in.readUTF();
                    String key = in.readUTF();
                    if (op == PUT) {
                        Instant stored = Instant.ofEpochMilli(in.readLong());
                        Instant expires = Instant.ofEpochMilli(in.readLong());
                        byte[] text = new byte[checked(in.readInt(), 1 << 20)];
                        in.readFully(text);
                        float[] v = new float[checked(in.readInt(), 1 << 16)];
                        for (int i = 0; i < v.length; i++) v[i] = in.readFloat();
                        Map<String, Entry> m = scopes.computeIfAbsent(scope, s -> new LinkedHashMap<>());
                        m.remove(key);
                        if (expires.isAfter(now)) m.put(key, new Entry(key, v, new String(text, StandardCharsets.UTF_8), stored, expires));
                    } else if (op == REMOVE) {
                        Map<String, Entry> m = scopes.get(scope);
                        if (m != null) m.remove(key);
                    } else {
                        throw new EOFException("unknown record type " + op);
                    }
                    records++;
                } catch (EOFException e) {
                    torn = true;
                    break;
                }
            }
        }
        scopes.values().removeIf(Map::isEmpty);
        return new Loaded(project, scopes, records, torn);
    }

    private static int checked(int n, int max) throws EOFException {
        if (n < 0 || n > max) throw new EOFException("corrupt length " + n);
        return n;
    }

    void put(String projectId, String scope, Entry e) {
        tasks.add(() -> write(projectId, out -> writePut(out, scope, e)));
    }

    /** One PUT record: the format {@code load} reads, for appends and rewrites alike. */
    private static void writePut(DataOutputStream out, String scope, Entry e) throws IOException {
        out.writeByte(PUT);
        out.writeUTF(scope);
        out.writeUTF(e.key());
        out.writeLong(e.storedAt().toEpochMilli());
        out.writeLong(e.expiresAt().toEpochMilli());
        byte[] text = e.text().getBytes(StandardCharsets.UTF_8);
        out.writeInt(text.length);
        out.write(text);
        out.writeInt(e.vector().length);
        for (float x : e.vector()) out.writeFloat(x);
    }

    void remove(String projectId, String scope, String key) {
        tasks.add(() -> write(projectId, out -> {
            out.writeByte(REMOVE);
            out.writeUTF(scope);
            out.writeUTF(key);
        }));
    }

    /**
     * Replaces a project's file with one holding only the live entries (by scope). {@code live} is
     * asked on the writer thread, so every record queued before is already reflected in it.
     */
    void rewrite(String projectId, Supplier<Map<String, List<Entry>>> liveEntries) {
        tasks.add(() -> {
            Map<String, List<Entry>> live = liveEntries.get();
            try {
                DataOutputStream cur = open.remove(projectId);
                if (cur != null) cur.close();
                Path target = file(projectId);
                Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                    out.writeInt(MAGIC);
                    out.writeUTF(projectId);
                    for (Map.Entry<String, List<Entry>> s : live.entrySet()) {
                        for (Entry e : s.getValue()) writePut(out, s.getKey(), e);
                    }
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                LOG.warn("Could not rewrite the semantic index of project '{}': {}", projectId, e.toString());
            }
        });
    }

    /** Waits until everything queued so far is written and flushed (tests, shutdown). */
    void flush() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        tasks.add(() -> {
            flushAll();
            done.countDown();
        });
        done.await(30, TimeUnit.SECONDS);
    }

    @FunctionalInterface
    private interface Record {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private void write(String projectId, Record r) {
        try {
            DataOutputStream out = open.get(projectId);
            if (out == null) {
                Path f = file(projectId);
                boolean fresh = !Files.exists(f) || Files.size(f) == 0;
                OutputStream os = Files.newOutputStream(f, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
                if (fresh) {
                    out.writeInt(MAGIC);
                    out.writeUTF(projectId);
                }
                open.put(projectId, out);
            }
            r.writeTo(out);
        } catch (IOException e) {
            LOG.warn("Could not write the semantic index of project '{}' (entries stay in memory): {}", projectId, e.toString());
        }
    }

    private void run() {
        try {
            while (true) {
                Runnable t = tasks.poll(1, TimeUnit.SECONDS);
                if (t == null) {
                    flushAll(); // idle: make what was written durable in the OS
                    continue;
                }
                if (t == STOP) break;
                t.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Runnable t;
            while ((t = tasks.poll()) != null) if (t != STOP) t.run();
            for (DataOutputStream out : open.values()) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // closing is best effort
                }
            }
            open.clear();
        }
    }

    private void flushAll() {
        for (Map.Entry<String, DataOutputStream> e : open.entrySet()) {
            try {
                e.getValue().flush();
            } catch (IOException ex) {
                LOG.warn("Could not flush the semantic index of project '{}': {}", e.getKey(), ex.toString());
            }
        }
    }

    private Path file(String projectId) {
        return dir.resolve(fileName(projectId));
    }

    /** The project id itself when it is a safe file name, else a hash of it (the id is inside the file). */
    static String fileName(String projectId) {
        if (PLAIN_ID.matcher(projectId).matches()) return projectId + SUFFIX;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(projectId.getBytes(StandardCharsets.UTF_8));
            return "p-" + HexFormat.of().formatHex(h, 0, 16) + SUFFIX;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        tasks.add(STOP);
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: the raw size of a project's file. */
    long fileSize(String projectId) throws IOException {
        Path f = file(projectId);
        return Files.exists(f) ? Files.size(f) : 0;
    }
}
