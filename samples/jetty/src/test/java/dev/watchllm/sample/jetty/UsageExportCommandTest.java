package dev.watchllm.sample.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.metering.JsonlUsageSink;
import dev.watchllm.metering.UsageExport;
import dev.watchllm.metering.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar watchllm-jetty.jar usage export ...} over the files the engine's default sink writes. */
class UsageExportCommandTest {
    @TempDir
    Path dir;
    Path config;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    static final UsageRecord A1 = new UsageRecord(Instant.parse("2026-03-02T10:00:00Z"), "r1", "app-prod", "k1", "/chat/completions",
            "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai", false, "MISS", Double.NaN, 12, 0, 7, 0, false, false, 6, 6, 120, 200);
    static final UsageRecord A2 = new UsageRecord(Instant.parse("2026-03-20T10:00:00Z"), "r2", "app-prod", "k1", "/chat/completions",
            "gpt-4o-mini", "gpt-4o-mini-2024-07-18", null, true, "HIT", Double.NaN, 12, 0, 7, 0, false, false, 0, 6, 1, 200);
    static final UsageRecord B1 = new UsageRecord(Instant.parse("2026-03-02T11:00:00Z"), "r3", "app-dev", "k2", "/chat/completions",
            "gpt-4o", "gpt-4o", "openai", false, "MISS", Double.NaN, 100, 0, 10, 0, false, false, 350, 350, 300, 200);

    @BeforeEach
    void write() throws Exception {
        Path store = dir.resolve("data");
        config = dir.resolve("watchllm.yaml");
        Files.writeString(config, "store: { type: local, dir: " + store.toString().replace("\\", "/") + " }\n");
        try (JsonlUsageSink sink = new JsonlUsageSink(store)) {
            for (UsageRecord r : List.of(A1, B1, A2)) sink.accept(r);
        }
    }

    private int run(String... args) throws Exception {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void jsonlHoldsTheProjectsRecordsOfTheMonth() throws Exception {
        assertEquals(0, run("usage", "export", "--project", "app-prod", "--month", "2026-03", "--format", "jsonl", "--config", config.toString()));
        List<UsageRecord> back = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) back.add(UsageExport.parseLine(line));
        assertEquals(List.of(A1, A2), back);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Exported 2 usage records"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void csvHasAHeaderAndOneRowPerRecord() throws Exception {
        assertEquals(0, run("usage", "export", "--config", config.toString(), "--project", "app-dev", "--month", "2026-03", "--format", "csv"));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\r\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("time,requestId,project,keyId,endpoint,requestedModel,model,provider,stream,cacheStatus,similarity,"), lines[0]);
        assertEquals("2026-03-02T11:00:00Z,r3,app-dev,k2,/chat/completions,gpt-4o,gpt-4o,openai,false,MISS,,100,0,10,0,false,false,0.00035,0.00035,300,200",
                lines[1]);
    }

    @Test
    void anEmptyMonthExportsNothing() throws Exception {
        assertEquals(0, run("usage", "export", "--project", "app-prod", "--month", "2026-02", "--config", config.toString()));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        assertEquals(2, run("usage", "export", "--project", "app-prod", "--month", "March", "--config", config.toString()));
        assertEquals(2, run("usage", "export", "--project", "app-prod", "--month", "2026-03", "--format", "xml", "--config", config.toString()));
        assertEquals(2, run("usage", "export", "--month", "2026-03"));
        assertEquals(2, run("usage", "import"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
