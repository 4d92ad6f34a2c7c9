package dev.watchllm.semantic.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.semantic.verify.ParaphraseVerifier.Guard;
import dev.watchllm.semantic.verify.ParaphraseVerifier.Verdict;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each guard on the cases it exists for, and the paraphrases it must let through. */
class ParaphraseVerifierTest {
    private static ParaphraseVerifier verifier;

    @BeforeAll
    static void load() {
        verifier = new ParaphraseVerifier(WordNetLexicon.load());
    }

    private static Verdict verify(String stored, String query) {
        return verifier.verify(PromptText.of(query), PromptText.of(stored), 0.9);
    }

    private static void same(String stored, String query) {
        Verdict v = verify(stored, query);
        assertTrue(v.accepted(), () -> "'" + query + "' should match '" + stored + "': " + v);
    }

    private static void refused(Guard by, String stored, String query) {
        Verdict v = verify(stored, query);
        assertFalse(v.accepted(), () -> "'" + query + "' must not match '" + stored + "'");
        assertEquals(by, v.rejectedBy(), () -> v.reason());
    }

    @Test
    void paraphrases() {
        same("What is the capital of France?", "what is the capital of france");
        same("How do I reverse a list in Python?", "How can I reverse a Python list?");
        same("Explain what a hash map is.", "Can you explain what a hashmap is?");
        same("What's the boiling point of water at sea level?", "At sea level, what is the boiling point of water?");
        same("Who wrote Pride and Prejudice?", "Who is the author of Pride and Prejudice?");
        same("Give me three tips for better sleep.", "Could you give me 3 tips for sleeping better?");
        same("Write a haiku about autumn leaves.", "Compose a haiku about autumn leaves.");
        same("What is the largest planet?", "Which is the biggest planet?");
        same("Which foods are unsafe for dogs?", "Which foods are not safe for dogs?");
        same("Who invented the telephone?", "Who was the inventor of the telephone?");
        same("What is the plural of 'cactus'?", "What is the plural form of 'cactus'?");
    }

    @Test
    void numbersAndUnits() {
        refused(Guard.NUMBERS, "What is 17 times 3?", "What is 17 times 4?");
        refused(Guard.NUMBERS, "What is 10 divided by 2?", "What is 2 divided by 10?");
        refused(Guard.NUMBERS, "What is the first law of thermodynamics?", "What is the second law of thermodynamics?");
        refused(Guard.NUMBERS, "How long is 90 minutes in hours?", "How long is 90 seconds in hours?");
        same("Convert 5 kilometers to miles.", "Convert five km to miles.");
    }

    @Test
    void negation() {
        refused(Guard.NEGATION, "Is Python a compiled language?", "Is Python not a compiled language?");
        refused(Guard.NEGATION, "Which foods are safe for dogs?", "Which foods are unsafe for dogs?");
        refused(Guard.NEGATION, "Should I take ibuprofen with food?", "Should I take ibuprofen without food?");
        refused(Guard.NEGATION, "Do I need a visa?", "Don't I need a visa?");
    }

    @Test
    void contentWords() {
        refused(Guard.CONTENT, "Write a haiku about autumn leaves.", "Write a limerick about autumn leaves.");
        refused(Guard.CONTENT, "What is the maximum dose of ibuprofen for adults?", "What is the maximum dose of ibuprofen for children?");
        refused(Guard.CONTENT, "How do I increase my website traffic?", "How do I decrease my website traffic?");
        refused(Guard.CONTENT, "What is the capital of Germany?", "What was the capital of Germany?");
        refused(Guard.CONTENT, "How many people live in Tokyo?", "How many people lived in Tokyo?");
        refused(Guard.CONTENT, "What is the population of Paris?", "What is the population density of Paris?");
        refused(Guard.CONTENT, "How do I cook rice?", "How do I cook brown rice?");
        refused(Guard.CONTENT, "What is the capital of France?", "Quelle est la capitale de la France ?");
    }

    @Test
    void theExtraNounNeedsAVeryCloseEmbedding() {
        PromptText stored = PromptText.of("What does HTTP status 404 mean?");
        PromptText query = PromptText.of("What is the meaning of HTTP status code 404?");
        assertTrue(verifier.verify(query, stored, 0.96).accepted());
        assertEquals(Guard.CONTENT, verifier.verify(query, stored, 0.90).rejectedBy());
    }

    @Test
    void entities() {
        refused(Guard.ENTITIES, "What is Apple's market share?", "What is the market share of apples?");
        assertTrue(verifier.with(EnumSet.complementOf(EnumSet.of(Guard.ENTITIES)))
                .verify(PromptText.of("What is the market share of apples?"), PromptText.of("What is Apple's market share?"), 0.9).accepted(),
                "without the entity guard the plural fruit passes: the guard is what stops it");
    }

    @Test
    void order() {
        refused(Guard.ORDER, "Convert 100 Celsius to Fahrenheit.", "Convert 100 Fahrenheit to Celsius.");
        refused(Guard.ORDER, "Translate 'thank you' from English to German.", "Translate 'thank you' from German to English.");
        refused(Guard.ORDER, "Is a cheetah faster than a lion?", "Is a lion faster than a cheetah?");
        refused(Guard.ORDER, "Does the Earth orbit the Sun?", "Does the Sun orbit the Earth?");
        refused(Guard.ORDER, "What eats a lion?", "What does a lion eat?");
        same("Is it safe to eat raw eggs?", "Is eating raw eggs safe?");
    }

    @Test
    void blockMoves() {
        assertEquals(0, ParaphraseVerifier.blockMove(new int[] {0, 1, 2})[0]);
        assertTrue(ParaphraseVerifier.blockMove(new int[] {1, 2, 0}) != null);
        assertTrue(ParaphraseVerifier.blockMove(new int[] {0, 3, 1, 2, 4}) != null);
        assertNull(ParaphraseVerifier.blockMove(new int[] {2, 1, 0}));
        assertNull(ParaphraseVerifier.blockMove(new int[] {1, 0, 3, 2}));
    }

    @Test
    void manyDifferingWordsAreRefusedWithoutComparingEveryPair() {
        Verdict v = verify("Explain how the garbage collector of the Java virtual machine decides which objects to reclaim",
                "Describe how the scheduler of the Linux kernel chooses which process should run next on a busy core");
        assertEquals(Guard.CONTENT, v.rejectedBy());
        assertTrue(v.reason().contains("words differ"), v.reason());
    }

    @Test
    void noGuardsMeansEmbeddingAlone() {
        ParaphraseVerifier none = verifier.with(EnumSet.noneOf(Guard.class));
        assertTrue(none.verify(PromptText.of("What is 17 times 4?"), PromptText.of("What is 17 times 3?"), 0.9).accepted());
    }
}
