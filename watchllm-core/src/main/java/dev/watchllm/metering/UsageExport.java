package dev.watchllm.metering;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a project's usage records for a month from the daily files {@link JsonlUsageSink} writes
 * and writes them as JSON lines or CSV (a header row, then one row per record; the columns are
 * the JSON field names). This is what {@code java -jar watchllm-jetty.jar usage export} runs.
 */
public final class UsageExport {
    private static final Logger LOG = LoggerFactory.getLogger(UsageExport.class);

    /** Output formats. */
    public enum Format { JSONL, CSV }

    private UsageExport() {
    }

    /** The format named {@code csv} or {@code jsonl}; null for anything else. */
    public static Format format(String name) {
        if ("csv".equalsIgnoreCase(name)) return Format.CSV;
        if ("jsonl".equalsIgnoreCase(name)) return Format.JSONL;
        return null;
    }

    /**
     * The records of {@code project} in {@code month}, oldest first. A line that cannot be read
     * (e.g. the last one while the server is writing it) is skipped with a warning.
     */
    public static List<UsageRecord> read(Path storeDir, String project, YearMonth month) throws IOException {
        List<UsageRecord> out = new ArrayList<>();
        for (int d = 1; d <= month.lengthOfMonth(); d++) {
            Path f = JsonlUsageSink.file(storeDir, month.atDay(d));
            if (!Files.exists(f)) continue;
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                int n = 0;
                while ((line = in.readLine()) != null) {
                    n++;
                    if (line.isBlank()) continue;
                    try {
                        JsonNode j = UsageJson.MAPPER.readTree(line);
                        if (project.equals(j.path("project").asText(null))) out.add(UsageJson.record(j));
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("Skipping unreadable line {} of {}", n, f);
                    }
                }
            }
        }
        return out;
    }

    /** Writes {@code records} in {@code format}. */
    public static void write(List<UsageRecord> records, Format format, Writer out) throws IOException {
        if (format == Format.JSONL) {
            for (UsageRecord r : records) {
                out.write(UsageJson.line(r));
                out.write('\n');
            }
            return;
        }
        out.write(String.join(",", UsageJson.FIELDS));
        out.write("\r\n");
        for (UsageRecord r : records) {
            List<String> values = UsageJson.values(r);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) out.write(',');
                String v = values.get(i);
                if (v != null) out.write(csv(v));
            }
            out.write("\r\n");
        }
    }

    /** One record from a JSON line as {@link #write} produces it. */
    public static UsageRecord parseLine(String jsonLine) throws IOException {
        return UsageJson.record(UsageJson.MAPPER.readTree(jsonLine));
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
    private static String csv(String s) {
        boolean quote = false;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
