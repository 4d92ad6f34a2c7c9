package dev.watchllm.semantic.verify;

import dev.watchllm.semantic.verify.PromptText.Kind;
import dev.watchllm.semantic.verify.PromptText.Token;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a stored prompt found by nearest-neighbour search says the same thing as a new
 * one, so that its answer may be served. Embedding similarity finds candidates; it cannot tell
 * "17 times 3" from "17 times 4" or "Celsius to Fahrenheit" from the reverse. Each {@link Guard}
 * checks one way two close prompts differ; a candidate is served only when every enabled guard
 * passes. When in doubt the verifier says no: a miss costs one provider call, a wrong answer
 * costs trust.
 */
public final class ParaphraseVerifier {

    /** The checks, each measured by {@code SemanticEval}. */
    public enum Guard {
        /** The same numbers in the same order, each with the same unit ("3 tips" = "three tips"; 100 miles != 150 miles). */
        NUMBERS,
        /** The same number of negations (not, never, no, without, and prefixes WordNet calls antonyms: unsafe). */
        NEGATION,
        /**
         * Every meaningful word matched by an equal word, the same base form, a compound ("hash map" =
         * "hashmap") or a WordNet paraphrase (shared frequent sense, derivation); never by an antonym.
         * One extra noun right after a matched word ("capital city") is tolerated only at a very high
         * embedding similarity.
         */
        CONTENT,
        /** Names (capitalised words, acronyms, quoted text) match exactly, never through a synonym. */
        ENTITIES,
        /**
         * Asymmetric relations keep their order: no two matched words swap places across "to", "into",
         * "from", "than", "vs", "per"; and the rest may be rearranged only by moving one phrase
         * ("at sea level, ..."), not by exchanging subject and object.
         */
        ORDER
    }

    /** The decision; {@code rejectedBy} and {@code reason} say why a candidate was refused. */
    public record Verdict(boolean accepted, Guard rejectedBy, String reason) {
        static final Verdict ACCEPTED = new Verdict(true, null, null);

        static Verdict reject(Guard g, String reason) {
            return new Verdict(false, g, reason);
        }
    }

    /** The similarity at or above which one extra classifier noun is tolerated ("capital" / "capital city"). */
    public static final double DEFAULT_INSERTION_SIMILARITY = 0.95;

    private final WordNetLexicon lexicon;
    private final Set<Guard> guards;
    private final double insertionSimilarity;

    public ParaphraseVerifier(WordNetLexicon lexicon) {
        this(lexicon, EnumSet.allOf(Guard.class), DEFAULT_INSERTION_SIMILARITY);
    }

    public ParaphraseVerifier(WordNetLexicon lexicon, Set<Guard> guards, double insertionSimilarity) {
        this.lexicon = Objects.requireNonNull(lexicon, "lexicon");
        this.guards = guards.isEmpty() ? EnumSet.noneOf(Guard.class) : EnumSet.copyOf(guards);
        this.insertionSimilarity = insertionSimilarity;
    }

    /** The same checks with only {@code enabled} guards on (for measuring each guard). */
    public ParaphraseVerifier with(Set<Guard> enabled) {
        return new ParaphraseVerifier(lexicon, enabled, insertionSimilarity);
    }

    public Set<Guard> guards() {
        return EnumSet.copyOf(guards.isEmpty() ? EnumSet.noneOf(Guard.class) : guards);
    }

    /**
     * Whether {@code stored}'s answer may be served for {@code query}; {@code similarity} is the
     * cosine similarity of their embeddings.
     */
    public Verdict verify(PromptText query, PromptText stored, double similarity) {
        if (query.normalized().equals(stored.normalized())) return Verdict.ACCEPTED;
        List<Token> a = query.tokens();
        List<Token> b = stored.tokens();
        Verdict v;
        if (guards.contains(Guard.NUMBERS) && !(v = numbers(a, b)).accepted()) return v;
        if (guards.contains(Guard.NEGATION) && !(v = negation(a, b)).accepted()) return v;
        Alignment al = align(a, b, similarity);
        if (guards.contains(Guard.CONTENT) && al.unmatched != null) return Verdict.reject(Guard.CONTENT, al.unmatched);
        if (guards.contains(Guard.ENTITIES) && !(v = entities(a, b)).accepted()) return v;
        if (guards.contains(Guard.ORDER) && !(v = order(a, b, al)).accepted()) return v;
        return Verdict.ACCEPTED;
    }

    // ---- numbers and units ----

    private Verdict numbers(List<Token> a, List<Token> b) {
        List<Token> na = numeric(a);
        List<Token> nb = numeric(b);
        if (na.size() != nb.size()) return Verdict.reject(Guard.NUMBERS, "numbers " + texts(na) + " vs " + texts(nb));
        for (int i = 0; i < na.size(); i++) {
            if (!na.get(i).text().equals(nb.get(i).text()) || na.get(i).kind() != nb.get(i).kind()) {
                return Verdict.reject(Guard.NUMBERS, "numbers " + texts(na) + " vs " + texts(nb));
            }
            String ua = unit(a, na.get(i));
            String ub = unit(b, nb.get(i));
            if (ua == null || ub == null || !measure(ua) || !measure(ub)) continue; // "3 tips", "404 mean": not units
            if (!(ua.equals(ub) || lexicon.equivalent(ua, ub, false))) {
                return Verdict.reject(Guard.NUMBERS, "unit of " + na.get(i).text() + ": " + ua + " vs " + ub);
            }
        }
        return Verdict.ACCEPTED;
    }

    private static List<Token> numeric(List<Token> tokens) {
        List<Token> out = new ArrayList<>();
        for (Token t : tokens) if (t.numeric()) out.add(t);
        return out;
    }

    private boolean measure(String w) {
        return w.length() == 1 && !Character.isLetterOrDigit(w.charAt(0)) || lexicon.isMeasure(w);
    }

    /** The word or symbol right after a number ("100 miles", "50 %"), or null. */
    private static String unit(List<Token> tokens, Token number) {
        int p = number.position() + 1;
        if (p >= tokens.size()) return null;
        Token next = tokens.get(p);
        return next.kind() == Kind.WORD || next.kind() == Kind.SYMBOL ? next.text() : null;
    }

    // ---- negation ----

    private Verdict negation(List<Token> a, List<Token> b) {
        int na = negations(a);
        int nb = negations(b);
        return na == nb ? Verdict.ACCEPTED : Verdict.reject(Guard.NEGATION, "negations " + na + " vs " + nb);
    }

    private int negations(List<Token> tokens) {
        int n = 0;
        for (Token t : tokens) {
            if (t.kind() == Kind.NEGATION) n++;
            else if (t.kind() == Kind.WORD && !t.entity() && lexicon.negatedBase(t.text()) != null) n++;
        }
        return n;
    }

    // ---- content words ----

    /** More differing words than this and two prompts are not paraphrases (and are not compared pair by pair). */
    static final int MAX_DIFFERING_WORDS = 8;

    private static int unmatched(String[] words, int[] matched) {
        int n = 0;
        for (int i = 0; i < words.length; i++) if (words[i] != null && matched[i] == -1) n++;
        return n;
    }

    /** A tense word with nothing to match but a past verb form on the other side. */
    private static final int FORGIVEN = -2;

    /** Which token of {@code b} each meaningful token of {@code a} matched; {@code unmatched} says what did not. */
    private static final class Alignment {
        final int[] aToB;
        final int[] bToA;
        String unmatched;

        Alignment(int na, int nb) {
            aToB = new int[na];
            bToA = new int[nb];
            Arrays.fill(aToB, -1);
            Arrays.fill(bToA, -1);
        }

        void match(int i, int j) {
            aToB[i] = j;
            bToA[j] = i;
        }
    }

    private Alignment align(List<Token> a, List<Token> b, double similarity) {
        Alignment al = new Alignment(a.size(), b.size());
        String[] wa = words(a);
        String[] wb = words(b);
        // 1. equal words, in order
        for (int i = 0; i < a.size(); i++) {
            if (wa[i] == null) continue;
            for (int j = 0; j < b.size(); j++) {
                if (wb[j] != null && al.bToA[j] < 0 && wa[i].equals(wb[j])) {
                    al.match(i, j);
                    break;
                }
            }
        }
        // 2. compounds: "hash map" = "hashmap", "e mail" = "email"
        compounds(a, wa, b, wb, al, false);
        compounds(b, wb, a, wa, al, true);
        // a paraphrase changes a few words, not a dozen: stop before comparing every pair of them
        if (unmatched(wa, al.aToB) > MAX_DIFFERING_WORDS || unmatched(wb, al.bToA) > MAX_DIFFERING_WORDS) {
            al.unmatched = "more than " + MAX_DIFFERING_WORDS + " words differ";
            return al;
        }
        // 3. the same base form, then 4. WordNet paraphrases (never antonyms)
        boolean agents = asksWho(a) && asksWho(b);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < a.size(); i++) {
                if (wa[i] == null || al.aToB[i] >= 0 || a.get(i).kind() != Kind.WORD) continue;
                for (int j = 0; j < b.size(); j++) {
                    if (wb[j] == null || al.bToA[j] >= 0 || b.get(j).kind() != Kind.WORD) continue;
                    // "lived" is not "live": the same verb in another tense asks about another time; only
                    // "who wrote" / "who is the author" relates a past verb to its timeless doer
                    boolean sameTense = lexicon.isPast(wa[i]) == lexicon.isPast(wb[j]);
                    boolean ok = pass == 0 ? sameTense && lexicon.sameBase(wa[i], wb[j])
                            : sameTense ? lexicon.equivalent(wa[i], wb[j], agents) : agents && lexicon.agentOf(wa[i], wb[j]);
                    if (ok) {
                        al.match(i, j);
                        break;
                    }
                }
            }
        }
        // "was"/"did" against a past verb form on the other side ("Who invented" = "Who was the inventor")
        forgivePast(a, wa, al.aToB, b, wb);
        forgivePast(b, wb, al.bToA, a, wa);
        List<String> leftA = new ArrayList<>();
        List<String> leftB = new ArrayList<>();
        int insertion = -1;
        boolean insertionInA = false;
        for (int i = 0; i < a.size(); i++) {
            if (wa[i] != null && al.aToB[i] == -1) {
                leftA.add(wa[i]);
                insertion = i;
                insertionInA = true;
            }
        }
        for (int j = 0; j < b.size(); j++) {
            if (wb[j] != null && al.bToA[j] == -1) {
                leftB.add(wb[j]);
                insertion = j;
                insertionInA = false;
            }
        }
        if (leftA.isEmpty() && leftB.isEmpty()) return al;
        if (leftA.size() + leftB.size() == 1
                && lightInsertion(insertionInA ? a : b, insertionInA ? al.aToB : al.bToA, insertion, similarity)) {
            return al;
        }
        al.unmatched = "unmatched words " + leftA + " vs " + leftB;
        return al;
    }

    /**
     * One extra common noun that ends a noun phrase right after a matched word: tolerated when
     * WordNet has the pair as a term of the same meaning ("plural form" = "plural"), or, for a
     * compound head ("capital city", "status code"), when the embedding found the two prompts nearly
     * identical. Names, quotes, symbols, modifiers ("brown rice") and anything else are never light.
     */
    private boolean lightInsertion(List<Token> tokens, int[] matched, int i, double similarity) {
        Token t = tokens.get(i);
        if (t.kind() != Kind.WORD || t.entity() || i == 0) return false;
        Token before = tokens.get(i - 1);
        if (matched[i - 1] < 0 || before.kind() != Kind.WORD) return false;
        if (i + 1 < tokens.size() && tokens.get(i + 1).kind() == Kind.WORD) return false; // a modifier, not the head
        if (lexicon.collocation(before.text(), t.text())) return true;
        return similarity >= insertionSimilarity && lexicon.isNoun(t.text());
    }

    private void forgivePast(List<Token> x, String[] wx, int[] matched, List<Token> y, String[] wy) {
        boolean pastVerb = false;
        for (int j = 0; j < y.size(); j++) if (wy[j] != null && y.get(j).kind() == Kind.WORD && lexicon.isPast(wy[j])) pastVerb = true;
        if (!pastVerb) return;
        for (int i = 0; i < x.size(); i++) {
            if (wx[i] != null && matched[i] == -1 && wx[i].equals(PromptText.PAST)) matched[i] = FORGIVEN;
        }
    }

    /** The word each meaningful token contributes (the base of a prefix negation: "unsafe" -> "safe"), else null. */
    private String[] words(List<Token> tokens) {
        String[] out = new String[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (!t.meaningful()) continue;
            String w = t.text();
            if (t.kind() == Kind.WORD && !t.entity()) {
                String base = lexicon.negatedBase(w);
                if (base != null) w = base;
            }
            out[i] = w;
        }
        return out;
    }

    private static void compounds(List<Token> x, String[] wx, List<Token> y, String[] wy, Alignment al, boolean swapped) {
        for (int i = 0; i + 1 < x.size(); i++) {
            if (wx[i] == null || wx[i + 1] == null) continue;
            if ((swapped ? al.bToA[i] : al.aToB[i]) >= 0 || (swapped ? al.bToA[i + 1] : al.aToB[i + 1]) >= 0) continue;
            String joined = wx[i] + wx[i + 1];
            for (int j = 0; j < y.size(); j++) {
                if (wy[j] == null || (swapped ? al.aToB[j] : al.bToA[j]) >= 0 || !joined.equals(wy[j])) continue;
                if (swapped) {
                    al.match(j, i);
                    al.bToA[i + 1] = j; // both halves point at the joined word
                } else {
                    al.match(i, j);
                    al.aToB[i + 1] = j;
                }
                break;
            }
        }
    }

    private static boolean asksWho(List<Token> tokens) {
        for (Token t : tokens) if (t.text().equals("who")) return true;
        return false;
    }

    // ---- entities ----

    private static Verdict entities(List<Token> a, List<Token> b) {
        for (Token t : a) {
            if (t.entity() && !contains(b, t.text())) return Verdict.reject(Guard.ENTITIES, "'" + t.text() + "' only in the query");
        }
        for (Token t : b) {
            if (t.entity() && !contains(a, t.text())) return Verdict.reject(Guard.ENTITIES, "'" + t.text() + "' only in the stored prompt");
        }
        return Verdict.ACCEPTED;
    }

    private static boolean contains(List<Token> tokens, String text) {
        for (Token t : tokens) if (t.text().equals(text)) return true;
        return false;
    }

    // ---- order ----

    private Verdict order(List<Token> a, List<Token> b, Alignment al) {
        // matched positions, in the query's order; equal numbers pair up in order
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (al.aToB[i] >= 0 && (i == 0 || al.aToB[i - 1] != al.aToB[i])) pairs.add(new int[] {i, al.aToB[i]});
        }
        List<Token> na = numeric(a);
        List<Token> nb = numeric(b);
        for (int k = 0; k < Math.min(na.size(), nb.size()); k++) {
            if (na.get(k).text().equals(nb.get(k).text())) pairs.add(new int[] {na.get(k).position(), nb.get(k).position()});
        }
        pairs.sort((p, q) -> Integer.compare(p[0], q[0]));
        int n = pairs.size();
        boolean doA = doSupport(a);
        boolean doB = doSupport(b);
        for (int x = 0; x < n; x++) {
            for (int y = x + 1; y < n; y++) {
                int[] p = pairs.get(x);
                int[] q = pairs.get(y);
                if (p[1] < q[1]) continue;
                if (markerBetween(a, p[0], q[0]) || markerBetween(b, q[1], p[1])) {
                    return Verdict.reject(Guard.ORDER, "'" + a.get(p[0]).text() + "' and '" + a.get(q[0]).text() + "' swap across a relation");
                }
                // "What eats a lion?" / "What does a lion eat?": the verb changed sides of its noun
                if (doA != doB) {
                    List<Token> plain = doA ? b : a;
                    int pp = doA ? p[1] : p[0];
                    int qq = doA ? q[1] : q[0];
                    if (finiteVerb(plain, pp) || finiteVerb(plain, qq)) {
                        return Verdict.reject(Guard.ORDER, "subject and object of '" + a.get(p[0]).text() + "'/'" + a.get(q[0]).text() + "' exchanged");
                    }
                }
            }
        }
        int[] ranks = new int[n];
        int[][] byB = pairs.toArray(new int[0][]);
        Integer[] idx = new Integer[n];
        for (int k = 0; k < n; k++) idx[k] = k;
        Arrays.sort(idx, (p, q) -> Integer.compare(byB[p][1], byB[q][1]));
        for (int r = 0; r < n; r++) ranks[idx[r]] = r;
        int[] moved = blockMove(ranks);
        if (moved == null) {
            return Verdict.reject(Guard.ORDER, "words rearranged beyond moving one phrase");
        }
        // a phrase may move ("at sea level, ..."), but not across a verb: "a man's widow marry" is not "a man marry his widow's"
        for (int k = moved[0]; k <= moved[1]; k++) {
            int[] p = pairs.get(k);
            if (clearVerb(a, p[0]) || clearVerb(b, p[1])) {
                return Verdict.reject(Guard.ORDER, "a phrase moved across the verb '" + a.get(p[0]).text() + "'");
            }
        }
        return Verdict.ACCEPTED;
    }

    /** A word that can only be a verb, or a past form, used finitely (not "to eat", not after an article). */
    private boolean clearVerb(List<Token> tokens, int i) {
        Token t = tokens.get(i);
        if (t.kind() != Kind.WORD || t.text().endsWith("ing")) return false;
        if (!(lexicon.isVerbOnly(t.text()) || lexicon.isPast(t.text()))) return false;
        if (i > 0) {
            String before = tokens.get(i - 1).text();
            if (before.equals("to") || before.equals("the") || before.equals("a") || before.equals("an")) return false;
        }
        return true;
    }

    /** An asymmetric relation word strictly between two positions; "to" before a verb is an infinitive, not a direction. */
    private boolean markerBetween(List<Token> tokens, int from, int to) {
        for (int k = from + 1; k < to; k++) {
            Token t = tokens.get(k);
            if (t.kind() != Kind.MARKER) continue;
            if (t.text().equals("to") && k + 1 < tokens.size() && tokens.get(k + 1).kind() == Kind.WORD
                    && lexicon.isVerbOnly(tokens.get(k + 1).text())) continue;
            return true;
        }
        return false;
    }

    /** A question with do-support ("what does a lion eat"), other than the generic "how do I". */
    private static boolean doSupport(List<Token> tokens) {
        for (int i = 0; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() != Kind.FUNCTION || !(t.text().equals("do") || t.text().equals("does"))) continue;
            String next = tokens.get(i + 1).text();
            if (next.equals("i") || next.equals("you") || next.equals("we") || next.equals("not")) continue;
            return true;
        }
        return false;
    }

    /** A word used as a verb: WordNet knows it as one and no article makes it a noun ("the meaning"). */
    private boolean finiteVerb(List<Token> tokens, int i) {
        Token t = tokens.get(i);
        if (t.kind() != Kind.WORD || !lexicon.isVerb(t.text())) return false;
        if (i > 0) {
            String before = tokens.get(i - 1).text();
            if (before.equals("the") || before.equals("a") || before.equals("an")) return false;
        }
        return true;
    }

    /**
     * When {@code p} (a permutation of 0..n-1) is the identity with one block moved past its
     * neighbour, the index range {from, to} of the words the two blocks cover (empty {0, -1} for the
     * identity); null for any other rearrangement.
     */
    static int[] blockMove(int[] p) {
        int n = p.length;
        int lo = 0;
        while (lo < n && p[lo] == lo) lo++;
        if (lo == n) return new int[] {0, -1};
        int hi = n - 1;
        while (hi > lo && p[hi] == hi) hi--;
        // the middle must be two increasing runs of consecutive values, the second before the first
        int cut = lo + 1;
        while (cut <= hi && p[cut] == p[cut - 1] + 1) cut++;
        if (cut > hi) return null;
        for (int k = cut + 1; k <= hi; k++) if (p[k] != p[k - 1] + 1) return null;
        return p[cut] == lo && p[cut - 1] == hi ? new int[] {lo, hi} : null;
    }

    private static List<String> texts(List<Token> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        for (Token t : tokens) out.add(t.text());
        return out;
    }
}
