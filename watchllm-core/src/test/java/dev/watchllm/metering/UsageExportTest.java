package dev.watchllm.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records written by the JSON-lines sink come back unchanged through the export, in both formats. */
class UsageExportTest {
    @TempDir
    Path dir;

    static final UsageRecord MISS = new UsageRecord(Instant.parse("2026-03-01T00:00:00.123Z"), "req-1", "p1", "k1", "/chat/completions",
            "gpt-4o", "gpt-4o-2024-08-06", "openai", false, "MISS", Double.NaN, 10_000, 8_000, 1_000, 200, false, false, 25_000, 25_000, 812, 200);
    static final UsageRecord HIT = new UsageRecord(Instant.parse("2026-03-31T23:59:59Z"), "id,with \"quotes\"", "p1", "k2",
            "/chat/completions", "gpt-4o-mini", "gpt-4o-mini", null, true, "HIT-SEMANTIC", 0.9731, 12, 0, 3, 0, true, false, 0, 4, 2, 200);
    static final UsageRecord UNPRICED = new UsageRecord(Instant.parse("2026-03-15T12:00:00Z"), "req-3", "p1", "k1", "/embeddings",
            "mystery", "mystery", "ollama", false, "BYPASS", Double.NaN, 5, 0, 0, 0, false, true, 0, 0, 40, 200);
    static final UsageRecord OTHER_PROJECT = new UsageRecord(Instant.parse("2026-03-15T12:00:00Z"), "req-4", "p2", "k9", "/chat/completions",
            "gpt-4o", "gpt-4o", "openai", false, "MISS", Double.NaN, 1, 0, 1, 0, false, false, 13, 13, 1, 200);
    static final UsageRecord OTHER_MONTH = new UsageRecord(Instant.parse("2026-04-01T00:00:00Z"), "req-5", "p1", "k1", "/chat/completions",
            "gpt-4o", "gpt-4o", "openai", false, "MISS", Double.NaN, 1, 0, 1, 0, false, false, 13, 13, 1, 200);

    private void writeAll() throws Exception {
        try (JsonlUsageSink sink = new JsonlUsageSink(dir)) {
            for (UsageRecord r : List.of(MISS, UNPRICED, OTHER_PROJECT, HIT, OTHER_MONTH)) sink.accept(r);
        }
    }

    @Test
    void dailyFilesHoldOneLinePerRecord() throws Exception {
        writeAll();
        assertEquals(1, Files.readAllLines(JsonlUsageSink.file(dir, LocalDate.of(2026, 3, 1))).size());
        assertEquals(2, Files.readAllLines(JsonlUsageSink.file(dir, LocalDate.of(2026, 3, 15))).size());
        assertEquals(1, Files.readAllLines(JsonlUsageSink.file(dir, LocalDate.of(2026, 4, 1))).size());
    }

    @Test
    void readSelectsTheProjectAndMonth() throws Exception {
        writeAll();
        assertEquals(List.of(MISS, UNPRICED, HIT), UsageExport.read(dir, "p1", YearMonth.of(2026, 3)));
        assertEquals(List.of(OTHER_PROJECT), UsageExport.read(dir, "p2", YearMonth.of(2026, 3)));
        assertEquals(List.of(), UsageExport.read(dir, "p1", YearMonth.of(2026, 2)));
    }

    @Test
    void jsonlRoundTrip() throws Exception {
        writeAll();
        List<UsageRecord> in = UsageExport.read(dir, "p1", YearMonth.of(2026, 3));
        StringWriter w = new StringWriter();
        UsageExport.write(in, UsageExport.Format.JSONL, w);
        List<UsageRecord> back = new ArrayList<>();
        for (String line : w.toString().split("\n")) back.add(UsageExport.parseLine(line));
        assertEquals(List.of(MISS, UNPRICED, HIT), back);
    }

    @Test
    void csvRoundTrip() throws Exception {
        writeAll();
        StringWriter w = new StringWriter();
        UsageExport.write(UsageExport.read(dir, "p1", YearMonth.of(2026, 3)), UsageExport.Format.CSV, w);
        List<List<String>> rows = parseCsv(w.toString());
        assertEquals(UsageJson.FIELDS, rows.get(0));
        assertEquals(4, rows.size());
        List<String> hit = rows.get(3);
        assertEquals("id,with \"quotes\"", hit.get(UsageJson.FIELDS.indexOf("requestId")));
        assertEquals("0.9731", hit.get(UsageJson.FIELDS.indexOf("similarity")));
        assertEquals("0.000004", hit.get(UsageJson.FIELDS.indexOf("potentialCostUsd")));
        assertEquals("", hit.get(UsageJson.FIELDS.indexOf("provider")));
        assertEquals("0.025", rows.get(1).get(UsageJson.FIELDS.indexOf("costUsd")));
        // every row rebuilds the record it came from
        List<UsageRecord> expected = List.of(MISS, UNPRICED, HIT);
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), fromRow(rows.get(i + 1)));
    }

    private static UsageRecord fromRow(List<String> row) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode o = UsageJson.MAPPER.createObjectNode();
        for (int i = 0; i < row.size(); i++) {
            String f = UsageJson.FIELDS.get(i);
            String v = row.get(i);
            if (v.isEmpty()) o.putNull(f);
            else if (f.endsWith("Tokens") || f.equals("latencyMs") || f.equals("status")) o.put(f, Long.parseLong(v));
            else if (f.equals("stream") || f.equals("estimated") || f.equals("unpriced")) o.put(f, Boolean.parseBoolean(v));
            else if (f.endsWith("Usd") || f.equals("similarity")) o.put(f, new java.math.BigDecimal(v));
            else o.put(f, v);
        }
        return UsageJson.record(o);
    }

    /** RFC 4180 rows (CRLF line ends, quoted fields with doubled quotes). */
    static List<List<String>> parseCsv(String s) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                row.add(f.toString());
                f.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                f.append(c);
            }
        }
        assertNull(quoted ? "unterminated" : null);
        return rows;
    }
}
