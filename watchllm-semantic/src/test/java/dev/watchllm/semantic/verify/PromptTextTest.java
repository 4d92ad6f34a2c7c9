package dev.watchllm.semantic.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchllm.semantic.verify.PromptText.Kind;
import dev.watchllm.semantic.verify.PromptText.Token;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PromptTextTest {

    private static String norm(String s) {
        return PromptText.of(s).normalized();
    }

    @Test
    void lowerCaseWhitespaceAndPunctuationRuns() {
        assertEquals("photosynthesis", norm("  What is   photosynthesis ?? "));
        assertEquals(norm("What is photosynthesis?"), norm("what is PHOTOSYNTHESIS!!!"));
    }

    @Test
    void fillersAndFramesAreDropped() {
        assertEquals(norm("Explain recursion."), norm("Could you please explain recursion?"));
        assertEquals(norm("Translate 'good morning' into Spanish."), norm("Kindly translate 'good morning' into Spanish, thanks"));
        assertEquals(norm("Explain what a hashmap is."), norm("Can you explain what a hashmap is?"));
        assertEquals(norm("How do I make pancakes?"), norm("How can I make pancakes?"));
        assertEquals(norm("How do I make pancakes?"), norm("How to make pancakes?"));
        assertEquals(norm("the capital of France"), norm("Tell me the capital of France"));
        // an ability question is not a request: "can you eat" keeps its words
        assertTrue(norm("Can you eat raw chicken?").startsWith("can you eat"));
    }

    @Test
    void contractionsAndPossessives() {
        assertEquals(norm("What is the time complexity?"), norm("What's the time complexity?"));
        assertEquals("is not python compiled", norm("Isn't Python compiled?"));
        assertEquals("can not dogs eat grapes", norm("Can't dogs eat grapes?"));
        assertEquals("summarize hamlet plot", norm("Summarize Hamlet's plot").replace(" the", ""));
    }

    @Test
    void numbersAreValues() {
        assertEquals(List.of("3"), numbers("Give me three tips"));
        assertEquals(List.of("25"), numbers("twenty-five apples"));
        assertEquals(List.of("1000"), numbers("1,000 words"));
        assertEquals(List.of("3.5"), numbers("3.50 dollars"));
        assertEquals(List.of("2005"), numbers("two thousand and five"));
        assertEquals(List.of("100", "150"), numbers("100km or 150 km"));
        assertEquals(List.of("1st"), numbers("the first law"));
        assertEquals(List.of("21st"), numbers("the 21st century"));
    }

    @Test
    void quotesStayWhole() {
        Token q = PromptText.of("Translate 'thank you' from English to German.").tokens().stream()
                .filter(t -> t.kind() == Kind.QUOTED).findFirst().orElseThrow();
        assertEquals("thank you", q.text());
        assertTrue(q.entity());
    }

    @Test
    void namesAreMarked() {
        List<String> entities = PromptText.of("Who wrote Pride and Prejudice in the UK?").tokens().stream()
                .filter(Token::entity).map(Token::text).collect(Collectors.toList());
        assertEquals(List.of("pride", "prejudice", "uk"), entities);
    }

    @Test
    void tenseAndNegationAreTokens() {
        assertTrue(PromptText.of("What was the capital of Germany?").tokens().stream().anyMatch(t -> t.text().equals(PromptText.PAST)));
        assertTrue(PromptText.of("Who did Caesar kill?").tokens().stream().anyMatch(t -> t.text().equals(PromptText.PAST)));
        assertEquals(2, PromptText.of("I never said it was not true").tokens().stream().filter(t -> t.kind() == Kind.NEGATION).count());
    }

    private static List<String> numbers(String s) {
        return PromptText.of(s).tokens().stream().filter(Token::numeric).map(Token::text).collect(Collectors.toList());
    }
}
