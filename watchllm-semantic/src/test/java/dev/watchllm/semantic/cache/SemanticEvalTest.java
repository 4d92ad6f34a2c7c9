package dev.watchllm.semantic.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.semantic.embed.LocalEmbedder;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.WordNetLexicon;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The targets of issue 9, with the real model: zero false hits and paraphrase recall of at least
 * 90% on the shared pairs ({@code semantic-pairs.jsonl}, a copy of {@code shared/data}), the
 * adversarial set written while building the verifier, and the held-out set written after it was
 * frozen.
 */
class SemanticEvalTest {
    private static LocalEmbedder model;
    private static SemanticEval eval;

    @BeforeAll
    static void load() throws Exception {
        model = new LocalEmbedder();
        model.ready().toCompletableFuture().get(2, TimeUnit.MINUTES);
        eval = new SemanticEval(model, new ParaphraseVerifier(WordNetLexicon.load()));
    }

    @AfterAll
    static void unload() {
        model.close();
    }

    private static List<SemanticEval.Pair> pairs(String resource) throws Exception {
        try (InputStream in = SemanticEvalTest.class.getResourceAsStream("/" + resource)) {
            return SemanticEval.read(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"semantic-pairs.jsonl", "adversarial-pairs.jsonl", "adversarial-heldout-pairs.jsonl"})
    void zeroFalseHitsAndNinetyPercentRecall(String file) throws Exception {
        SemanticEval.Report r = eval.run(pairs(file), SemanticEval.DEFAULT_THRESHOLD);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        SemanticEval.print(r, file, false, new PrintStream(text, true, StandardCharsets.UTF_8));
        String report = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, r.falseHits(), report);
        assertTrue(r.recall() >= 0.9, report);
        assertTrue(r.negatives() > 0 && r.positives() > 0, report);
        // the cache's own verdicts agree with the guard table's "all guards" row
        assertArrayEquals(new int[] {r.hits(), r.falseHits()}, r.configurations().get("all guards"), report);
        // and the guards earn their place: the embedding alone serves wrong answers on every set
        assertTrue(r.configurations().get("embedding only")[1] > 0, report);
    }

    @Test
    void theCommandPrintsTheTableAndFailsOnAFalseHit(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, "{\"a\":\"What is 17 times 3?\",\"b\":\"What is 17 times three?\",\"match\":true,\"kind\":\"number\"}\n\n"
                + "{\"a\":\"What is 17 times 3?\",\"b\":\"What is 17 times 4?\",\"match\":false,\"kind\":\"number\"}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SemanticEval.cli(new String[] {"eval", file.toString(), "--threshold", "0.8"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed + err);
        assertTrue(printed.contains("recall on match:true   1/1 = 100.0%"), printed);
        assertTrue(printed.contains("false hits on match:false  0/1"), printed);
        assertTrue(printed.contains("embedding only"), printed);
        assertEquals(2, SemanticEval.cli(new String[] {"eval"}, new PrintStream(out), new PrintStream(err)));
        assertEquals(2, SemanticEval.cli(new String[] {"eval", dir.resolve("missing.jsonl").toString()}, new PrintStream(out), new PrintStream(err)));
    }
}
