package dev.watchllm.metering;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;

/**
 * The default {@link UsageSink}: every record as one JSON line, appended to a file per UTC day,
 * {@code usage/records-YYYY-MM-DD.jsonl} under the store directory. These files are the audit
 * trail that {@code usage export} reads; rotate or ship them as you like (the engine only ever
 * appends).
 */
public final class JsonlUsageSink implements UsageSink {
    private final Path dir;
    private long openDay = Long.MIN_VALUE;
    private FileChannel channel;
    private BufferedWriter out;

    public JsonlUsageSink(Path storeDir) {
        this.dir = storeDir.resolve("usage");
    }

    /** The file of one day's records. */
    public static Path file(Path storeDir, LocalDate day) {
        return storeDir.resolve("usage").resolve("records-" + day + ".jsonl");
    }

    @Override
    public void accept(UsageRecord r) throws IOException {
        long day = Math.floorDiv(r.time().getEpochSecond(), 86_400L);
        if (day != openDay) open(day);
        out.write(UsageJson.line(r));
        out.write('\n');
    }

    private void open(long day) throws IOException {
        closeFile();
        Files.createDirectories(dir);
        channel = FileChannel.open(dir.resolve("records-" + LocalDate.ofEpochDay(day) + ".jsonl"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        OutputStream os = Channels.newOutputStream(channel);
        out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 16 * 1024);
        openDay = day;
    }

    @Override
    public void flush() throws IOException {
        if (out != null) out.flush();
    }

    @Override
    public void close() throws IOException {
        closeFile();
    }

    private void closeFile() throws IOException {
        if (out == null) return;
        try {
            out.flush();
            channel.force(false);
        } finally {
            out.close();
            out = null;
            channel = null;
            openDay = Long.MIN_VALUE;
        }
    }
}
