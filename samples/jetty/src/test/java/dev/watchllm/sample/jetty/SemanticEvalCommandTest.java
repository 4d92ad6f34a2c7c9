package dev.watchllm.sample.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar watchllm-jetty.jar semantic eval FILE.jsonl}: the verb reaches the semantic module's eval. */
class SemanticEvalCommandTest {

    @Test
    void evaluatesAFileOfPairs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, "{\"a\":\"Is Python a compiled language?\",\"b\":\"Is Python not a compiled language?\",\"match\":false,\"kind\":\"negation\"}\n"
                + "{\"a\":\"What is photosynthesis?\",\"b\":\"  what is   photosynthesis ?? \",\"match\":true,\"kind\":\"formatting\"}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"semantic", "eval", file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed + err);
        assertTrue(printed.contains("recall on match:true   1/1"), printed);
        assertTrue(printed.contains("false hits on match:false  0/1"), printed);
        assertEquals(2, Main.run(new String[] {"semantic"}, new PrintStream(out), new PrintStream(err)));
    }
}
