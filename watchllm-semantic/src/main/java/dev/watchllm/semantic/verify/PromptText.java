package dev.watchllm.semantic.verify;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A user message cut into classified tokens: the one analysis both the embedding text
 * ({@link #normalized()}) and the {@link ParaphraseVerifier} work from. Pure string work, no
 * dictionary: lower case, quotes kept whole, contractions expanded, possessives dropped, number
 * words turned into numbers, politeness fillers and request frames ("could you explain", "tell
 * me", "please") removed, punctuation and whitespace runs collapsed.
 */
public final class PromptText {

    /** What a token is, for the guards. */
    enum Kind {
        /** A word that carries meaning: it must be matched by an equal or equivalent word. */
        WORD,
        /** A number (value in {@code text}, canonical: {@code 3}, {@code 3.5}, {@code 1000}). */
        NUMBER,
        /** An ordinal ({@code 1st}, "first"), canonical {@code 1st}. */
        ORDINAL,
        /** An operator or unit symbol: {@code + - * / = < > % ^ # @ ~ |}. Matched exactly. */
        SYMBOL,
        /** A quoted span, matched exactly (case-insensitively). */
        QUOTED,
        /** A negation: not, no, never, without, ... */
        NEGATION,
        /**
         * An asymmetric relation word (the order guard): to, into, from, than, vs, per, before, after,
         * ... All but the light ones ("to", "into", "toward", "onto") also count as meaning.
         */
        MARKER,
        /** Grammar that carries no meaning the guards look at: articles, "is", "of", "what". */
        FUNCTION
    }

    /**
     * One token. {@code text} is canonical and lower case; {@code entity} marks a name (capitalised
     * inside a sentence, an acronym, letters mixed with digits, a quoted span); {@code position} is
     * its index in {@link #tokens()}. Tense is carried by the {@link #PAST} and {@link #FUTURE} words.
     */
    record Token(String text, Kind kind, boolean entity, int position) {
        boolean meaningful() {
            return kind == Kind.WORD || kind == Kind.SYMBOL || kind == Kind.QUOTED
                    || (kind == Kind.MARKER && !LIGHT_MARKERS.contains(text));
        }

        boolean numeric() {
            return kind == Kind.NUMBER || kind == Kind.ORDINAL;
        }
    }

    static final String PAST = "(past)";
    static final String FUTURE = "(future)";

    private static final Set<String> FUNCTION = Set.of(
            "a", "an", "the", "of", "in", "on", "at", "for", "with", "by", "about", "as", "via", "is", "are", "am",
            "be", "been", "being", "do", "does", "have", "has", "having", "it", "its", "itself", "this", "that",
            "these", "those", "there", "here", "some", "any", "and", "what", "which", "between", "among", "like",
            "so", "just", "also", "really", "very", "actually", "basically", "simply", "whether", "if", "then",
            "exactly", "&", "my", "mine", "our", "ours");
    private static final Set<String> NEGATION = Set.of(
            "not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor", "without");
    private static final Set<String> MARKER = Set.of(
            "to", "into", "from", "than", "toward", "towards", "onto", "vs", "versus", "per", "before", "after",
            "over", "above", "below", "under", "beyond", "until", "since");
    /** Direction words that paraphrases swap freely ("into Spanish" = "to Spanish"): order only, not meaning. */
    static final Set<String> LIGHT_MARKERS = Set.of("to", "into", "toward", "onto");
    private static final Map<String, String> CANONICAL = Map.ofEntries(
            Map.entry("was", PAST), Map.entry("were", PAST), Map.entry("had", PAST),
            Map.entry("will", FUTURE), Map.entry("shall", FUTURE),
            Map.entry("me", "i"), Map.entry("myself", "i"),
            Map.entry("your", "you"), Map.entry("yours", "you"), Map.entry("yourself", "you"),
            Map.entry("us", "we"), Map.entry("ourselves", "we"),
            Map.entry("him", "he"), Map.entry("his", "he"), Map.entry("himself", "he"),
            Map.entry("her", "she"), Map.entry("hers", "she"), Map.entry("herself", "she"),
            Map.entry("them", "they"), Map.entry("their", "they"), Map.entry("theirs", "they"),
            Map.entry("whom", "who"), Map.entry("whose", "who"), Map.entry("vs", "versus"),
            Map.entry("towards", "toward"));
    /** Words a polite "could you ..." is followed by when it is a request, not a question of ability. */
    private static final Set<String> REQUEST_VERBS = Set.of(
            "explain", "tell", "give", "show", "list", "describe", "define", "help", "write", "summarize",
            "summarise", "translate", "name", "provide", "suggest", "recommend", "compose", "create", "generate",
            "find", "calculate", "compute", "convert", "share", "outline", "clarify", "draft", "rewrite", "check");
    /** Request frames that mean "answer the following" and nothing more, dropped at the start. */
    private static final Set<String> FRAME_VERBS = Set.of("explain", "describe", "define", "list", "name", "clarify", "outline",
            "calculate", "compute");
    private static final Set<String> FRAME_WITH_ME = Set.of("tell", "give", "show");
    private static final Set<String> POLITE = Set.of("please", "pls", "plz", "kindly");
    private static final Set<String> GREETINGS = Set.of("hi", "hello", "hey");
    private static final Set<String> WH_HOW_AUX = Set.of("do", "can", "could", "should", "would");
    private static final Set<String> GENERIC_SUBJECTS = Set.of("i", "you", "we");
    private static final Map<String, Integer> UNITS = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3), Map.entry("four", 4),
            Map.entry("five", 5), Map.entry("six", 6), Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9),
            Map.entry("ten", 10), Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("thirteen", 13),
            Map.entry("fourteen", 14), Map.entry("fifteen", 15), Map.entry("sixteen", 16), Map.entry("seventeen", 17),
            Map.entry("eighteen", 18), Map.entry("nineteen", 19), Map.entry("dozen", 12));
    private static final Map<String, Integer> TENS = Map.of(
            "twenty", 20, "thirty", 30, "forty", 40, "fifty", 50, "sixty", 60, "seventy", 70, "eighty", 80, "ninety", 90);
    private static final Map<String, Long> SCALES = Map.of(
            "hundred", 100L, "thousand", 1_000L, "million", 1_000_000L, "billion", 1_000_000_000L, "trillion", 1_000_000_000_000L);
    private static final Map<String, Integer> ORDINALS = Map.ofEntries(
            Map.entry("first", 1), Map.entry("second", 2), Map.entry("third", 3), Map.entry("fourth", 4),
            Map.entry("fifth", 5), Map.entry("sixth", 6), Map.entry("seventh", 7), Map.entry("eighth", 8),
            Map.entry("ninth", 9), Map.entry("tenth", 10), Map.entry("eleventh", 11), Map.entry("twelfth", 12),
            Map.entry("twentieth", 20), Map.entry("hundredth", 100), Map.entry("last", -1));
    private static final Map<String, String> CONTRACTED_NOT = Map.of(
            "can't", "can", "won't", "will", "shan't", "shall", "ain't", "is", "cannot", "can");
    private static final Set<String> IS_CONTRACTIONS = Set.of(
            "it", "he", "she", "that", "there", "here", "what", "who", "where", "when", "why", "how", "this", "which");
    private static final Map<String, String> SYMBOL_WORDS = Map.of(
            "%", "percent", "$", "dollar", "€", "euro", "£", "gbp", "¥", "yen", "&", "&");

    private final String original;
    private final List<Token> tokens;
    private final String normalized;

    private PromptText(String original, List<Token> tokens) {
        this.original = original;
        this.tokens = List.copyOf(tokens);
        StringBuilder sb = new StringBuilder();
        for (Token t : this.tokens) {
            if (sb.length() > 0) sb.append(' ');
            if (t.kind() == Kind.QUOTED) {
                sb.append('"').append(t.text()).append('"');
            } else if (t.text().equals(PAST)) {
                sb.append("did");
            } else if (t.text().equals(FUTURE)) {
                sb.append("will");
            } else {
                sb.append(t.text());
            }
        }
        this.normalized = sb.toString();
    }

    /** The message as the client wrote it. */
    public String original() {
        return original;
    }

    /** Lower case, fillers and frames removed, contractions expanded, one space between tokens: what is embedded. */
    public String normalized() {
        return normalized;
    }

    List<Token> tokens() {
        return tokens;
    }

    @Override
    public String toString() {
        return normalized;
    }

    /** Analyses one message. */
    public static PromptText of(String text) {
        List<Raw> raw = scan(text);
        raw = expand(raw);
        raw = numbers(raw);
        raw = dropFillers(raw);
        List<Token> out = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            out.add(new Token(r.text, r.kind, r.entity, out.size()));
        }
        return new PromptText(text, out);
    }

    // ---- scanning ----

    /** A token before classification; {@code punctAfter} marks one followed by punctuation ("Hi, ..."). */
    private static final class Raw {
        String text;
        Kind kind;
        boolean entity;
        boolean punctAfter;

        Raw(String text, Kind kind, boolean entity) {
            this.text = text;
            this.kind = kind;
            this.entity = entity;
        }
    }

    private static List<Raw> scan(String input) {
        String s = Normalizer.normalize(input, Normalizer.Form.NFKC);
        List<Raw> out = new ArrayList<>();
        boolean sentenceStart = true;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (isQuote(c) && opensQuote(s, i)) {
                int end = closingQuote(s, i);
                if (end > i + 1) {
                    String q = collapse(s.substring(i + 1, end).toLowerCase(Locale.ROOT));
                    if (!q.isEmpty()) {
                        out.add(new Raw(q, Kind.QUOTED, true));
                        sentenceStart = false;
                    }
                    i = end + 1;
                    continue;
                }
            }
            if (Character.isLetterOrDigit(c)) {
                int start = i;
                StringBuilder w = new StringBuilder();
                while (i < n) {
                    char d = s.charAt(i);
                    if (Character.isLetterOrDigit(d)) {
                        w.append(d);
                        i++;
                    } else if (isApostrophe(d) && i + 1 < n && Character.isLetter(s.charAt(i + 1)) && w.length() > 0) {
                        w.append('\'');
                        i++;
                    } else if ((d == '.' || d == ',') && i + 1 < n && Character.isDigit(s.charAt(i + 1))
                            && w.length() > 0 && Character.isDigit(w.charAt(w.length() - 1))
                            && (d == '.' || thousands(s, i + 1))) {
                        if (d == '.') w.append('.');
                        i++;
                    } else if (isApostrophe(d) && w.length() > 0 && w.charAt(w.length() - 1) == 's') {
                        i++; // plural possessive: "dogs' food"
                        break;
                    } else {
                        break;
                    }
                }
                String word = w.toString();
                boolean hasUpper = !word.equals(word.toLowerCase(Locale.ROOT));
                boolean allUpper = word.length() >= 2 && word.equals(word.toUpperCase(Locale.ROOT)) && hasLetter(word);
                boolean mixed = hasLetter(word) && hasDigit(word) && Character.isLetter(word.charAt(0));
                boolean innerUpper = hasUpper && !Character.isUpperCase(word.charAt(0));
                boolean entity = (allUpper || mixed || innerUpper || (hasUpper && !sentenceStart)) && !word.equals("I");
                out.add(new Raw(word.toLowerCase(Locale.ROOT), Kind.WORD, entity));
                sentenceStart = false;
                if (start == i) i++;
                continue;
            }
            if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '\n') {
                sentenceStart = true;
                if (!out.isEmpty()) out.get(out.size() - 1).punctAfter = true;
                i++;
                continue;
            }
            if (c == ',' && !out.isEmpty()) {
                out.get(out.size() - 1).punctAfter = true;
            }
            if (c == '°' && i + 1 < n && (s.charAt(i + 1) == 'C' || s.charAt(i + 1) == 'c' || s.charAt(i + 1) == 'F' || s.charAt(i + 1) == 'f')
                    && (i + 2 >= n || !Character.isLetter(s.charAt(i + 2)))) {
                out.add(new Raw(Character.toLowerCase(s.charAt(i + 1)) == 'c' ? "celsius" : "fahrenheit", Kind.WORD, false));
                i += 2;
                continue;
            }
            String sym = symbol(s, i, out);
            if (sym != null) {
                String word = SYMBOL_WORDS.get(sym);
                out.add(word != null ? new Raw(word, word.equals("&") ? Kind.FUNCTION : Kind.WORD, false) : new Raw(sym, Kind.SYMBOL, false));
                sentenceStart = false;
            }
            i++;
        }
        return out;
    }

    /** A symbol token at {@code i}, or null for punctuation and hyphens inside words. */
    private static String symbol(String s, int i, List<Raw> before) {
        char c = s.charAt(i);
        switch (c) {
            case '+': case '*': case '/': case '=': case '<': case '>': case '%': case '^': case '#': case '@':
            case '~': case '|': case '$': case '€': case '£': case '¥': case '&': case '×': case '÷':
                return c == '×' ? "*" : c == '÷' ? "/" : String.valueOf(c);
            case '-': case '−':
                // minus between or before numbers; a hyphen between words only separates them
                boolean digitAfter = i + 1 < s.length() && Character.isDigit(s.charAt(i + 1));
                boolean wordBefore = i > 0 && Character.isLetter(s.charAt(i - 1));
                return digitAfter && !wordBefore ? "-" : null;
            default:
                return null;
        }
    }

    private static boolean thousands(String s, int i) {
        int d = 0;
        while (i + d < s.length() && Character.isDigit(s.charAt(i + d))) d++;
        return d == 3;
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'' || c == '`' || c == '\u201c' || c == '\u2018';
    }

    private static boolean isApostrophe(char c) {
        return c == '\'' || c == '\u2019' || c == '\u02bc';
    }

    private static boolean opensQuote(String s, int i) {
        if (i + 1 >= s.length() || Character.isWhitespace(s.charAt(i + 1))) return false;
        return i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1));
    }

    private static int closingQuote(String s, int open) {
        char o = s.charAt(open);
        char close = o == '\u201c' ? '\u201d' : o == '\u2018' ? '\u2019' : o;
        for (int j = open + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            boolean closes = c == close || (o == '\'' && c == '\u2019');
            if (closes && (j + 1 >= s.length() || !Character.isLetterOrDigit(s.charAt(j + 1)))) return j;
        }
        return -1;
    }

    private static String collapse(String s) {
        StringBuilder sb = new StringBuilder();
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                space = sb.length() > 0;
            } else {
                if (space) sb.append(' ');
                sb.append(c);
                space = false;
            }
        }
        return sb.toString();
    }

    private static boolean hasLetter(String w) {
        for (int i = 0; i < w.length(); i++) if (Character.isLetter(w.charAt(i))) return true;
        return false;
    }

    private static boolean hasDigit(String w) {
        for (int i = 0; i < w.length(); i++) if (Character.isDigit(w.charAt(i))) return true;
        return false;
    }

    // ---- contractions, possessives, digit/letter splits, classes ----

    private static List<Raw> expand(List<Raw> in) {
        List<Raw> out = new ArrayList<>(in.size() + 4);
        for (Raw r : in) {
            if (r.kind != Kind.WORD) {
                out.add(r);
                continue;
            }
            String w = r.text;
            int apo = w.indexOf('\'');
            if (apo > 0) {
                int first = out.size();
                String head = w.substring(0, apo);
                String tail = w.substring(apo + 1);
                String notBase = CONTRACTED_NOT.get(w);
                if (notBase != null) {
                    add(out, r, notBase);
                    add(out, r, "not");
                } else if (tail.equals("t") && head.endsWith("n")) {
                    add(out, r, head.substring(0, head.length() - 1));
                    add(out, r, "not");
                } else if (tail.equals("re")) {
                    add(out, r, head);
                    add(out, r, "are");
                } else if (tail.equals("ve")) {
                    add(out, r, head);
                    add(out, r, "have");
                } else if (tail.equals("ll")) {
                    add(out, r, head);
                    add(out, r, "will");
                } else if (tail.equals("d")) {
                    add(out, r, head);
                    add(out, r, "would");
                } else if (tail.equals("m")) {
                    add(out, r, head);
                    add(out, r, "am");
                } else if (tail.equals("s")) {
                    if (head.equals("let")) {
                        add(out, r, "let");
                        add(out, r, "us");
                    } else {
                        add(out, r, head);
                        if (IS_CONTRACTIONS.contains(head)) add(out, r, "is"); // otherwise a possessive: dropped
                    }
                } else {
                    add(out, r, w.replace("'", ""));
                }
                for (int k = first + 1; k < out.size(); k++) out.get(k).entity = false;
                continue;
            }
            if (w.equals("cannot")) {
                add(out, r, "can");
                add(out, r, "not");
                continue;
            }
            if (w.equals("did")) { // do-support (the order guard looks for it) in the past tense
                add(out, r, "do");
                add(out, r, "was");
                continue;
            }
            // "100km" -> 100 km; "21st" -> ordinal
            int d = 0;
            while (d < w.length() && (Character.isDigit(w.charAt(d)) || w.charAt(d) == '.')) d++;
            if (d > 0 && d < w.length() && Character.isLetter(w.charAt(d))) {
                String digits = w.substring(0, d);
                String rest = w.substring(d);
                if (d + 2 == w.length() && (rest.equals("st") || rest.equals("nd") || rest.equals("rd") || rest.equals("th"))) {
                    Raw o = new Raw(canonicalNumber(digits) + "st", Kind.ORDINAL, false);
                    o.punctAfter = r.punctAfter;
                    out.add(o);
                } else {
                    Raw num = new Raw(digits, Kind.WORD, false);
                    out.add(num);
                    Raw unit = new Raw(rest, Kind.WORD, r.entity);
                    unit.punctAfter = r.punctAfter;
                    out.add(unit);
                }
                continue;
            }
            out.add(r);
        }
        for (Raw r : out) {
            if (r.kind != Kind.WORD) continue;
            String c = CANONICAL.get(r.text);
            if (c != null) r.text = c;
            if (FUNCTION.contains(r.text)) r.kind = Kind.FUNCTION;
            else if (NEGATION.contains(r.text)) r.kind = Kind.NEGATION;
            else if (MARKER.contains(r.text)) r.kind = Kind.MARKER;
        }
        return out;
    }

    private static void add(List<Raw> out, Raw from, String text) {
        if (text.isEmpty()) return;
        Raw r = new Raw(text, Kind.WORD, from.entity);
        r.punctAfter = from.punctAfter;
        out.add(r);
    }

    // ---- numbers ----

    private static List<Raw> numbers(List<Raw> in) {
        List<Raw> out = new ArrayList<>(in.size());
        int i = 0;
        while (i < in.size()) {
            Raw r = in.get(i);
            if (r.kind == Kind.WORD && isDigits(r.text)) {
                r.text = canonicalNumber(r.text);
                r.kind = Kind.NUMBER;
                r.entity = false;
                out.add(r);
                i++;
                continue;
            }
            if (r.kind == Kind.WORD && ORDINALS.containsKey(r.text)) {
                int v = ORDINALS.get(r.text);
                r.text = v < 0 ? "last" : v + "st";
                r.kind = v < 0 ? Kind.WORD : Kind.ORDINAL;
                out.add(r);
                i++;
                continue;
            }
            // number words: "twenty five", "two hundred and five", "a dozen", "a hundred"
            int j = i;
            long total = 0;
            long current = 0;
            boolean any = false;
            if (r.kind == Kind.FUNCTION && (r.text.equals("a") || r.text.equals("an")) && j + 1 < in.size()
                    && (SCALES.containsKey(in.get(j + 1).text) || in.get(j + 1).text.equals("dozen"))) {
                current = 1;
                j++;
            }
            while (j < in.size()) {
                String w = in.get(j).text;
                if (in.get(j).kind != Kind.WORD) {
                    if (any && w.equals("and") && j + 1 < in.size() && isNumberWord(in.get(j + 1).text)) {
                        j++;
                        continue;
                    }
                    break;
                }
                if (UNITS.containsKey(w)) {
                    if (w.equals("dozen")) current = (current == 0 ? 1 : current) * 12;
                    else current += UNITS.get(w);
                } else if (TENS.containsKey(w)) {
                    current += TENS.get(w);
                } else if (SCALES.containsKey(w) && (any || current > 0)) {
                    long scale = SCALES.get(w);
                    if (scale == 100) {
                        current = (current == 0 ? 1 : current) * 100;
                    } else {
                        total += (current == 0 ? 1 : current) * scale;
                        current = 0;
                    }
                } else {
                    break;
                }
                any = true;
                j++;
            }
            if (any) {
                Raw num = new Raw(Long.toString(total + current), Kind.NUMBER, false);
                num.punctAfter = in.get(j - 1).punctAfter;
                out.add(num);
                i = j;
            } else {
                out.add(r);
                i++;
            }
        }
        return out;
    }

    private static boolean isNumberWord(String w) {
        return UNITS.containsKey(w) || TENS.containsKey(w) || SCALES.containsKey(w);
    }

    private static boolean isDigits(String w) {
        if (w.isEmpty()) return false;
        int dots = 0;
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c == '.') dots++;
            else if (!Character.isDigit(c)) return false;
        }
        return dots <= 1 && w.charAt(w.length() - 1) != '.';
    }

    /** {@code 003} -> 3, {@code 3.50} -> 3.5; any script's digits. */
    private static String canonicalNumber(String digits) {
        StringBuilder ascii = new StringBuilder(digits.length());
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            ascii.append(c == '.' ? '.' : (char) ('0' + Character.digit(c, 10)));
        }
        try {
            BigDecimal v = new BigDecimal(ascii.toString()).stripTrailingZeros();
            return v.scale() < 0 ? v.toBigInteger().toString() : v.toPlainString();
        } catch (NumberFormatException e) {
            return ascii.toString();
        }
    }

    // ---- fillers and frames ----

    private static List<Raw> dropFillers(List<Raw> in) {
        List<Raw> t = new ArrayList<>(in.size());
        for (Raw r : in) {
            if (r.kind == Kind.WORD && POLITE.contains(r.text)) continue;
            t.add(r);
        }
        // trailing thanks
        int n = t.size();
        if (n >= 2 && t.get(n - 1).text.equals("you") && t.get(n - 2).text.equals("thank")) {
            t = new ArrayList<>(t.subList(0, n - 2));
        } else if (n >= 1 && (t.get(n - 1).text.equals("thanks") || t.get(n - 1).text.equals("thx"))) {
            t = new ArrayList<>(t.subList(0, n - 1));
        }
        boolean changed = true;
        while (changed && !t.isEmpty()) {
            changed = false;
            String w0 = t.get(0).text;
            String w1 = t.size() > 1 ? t.get(1).text : "";
            String w2 = t.size() > 2 ? t.get(2).text : "";
            String w3 = t.size() > 3 ? t.get(3).text : "";
            int drop = 0;
            if (GREETINGS.contains(w0) && t.get(0).punctAfter && t.size() > 1) {
                drop = 1;
            } else if ((w0.equals("can") || w0.equals("could") || w0.equals("would") || w0.equals(FUTURE)) && w1.equals("you")
                    && REQUEST_VERBS.contains(w2)) {
                drop = 2; // "could you explain" -> "explain"
            } else if (w0.equals("i") && (w1.equals("want") || w1.equals("need")) && w2.equals("to") && w3.equals("know")) {
                drop = 4;
            } else if (w0.equals("i") && w1.equals("would") && w2.equals("like") && w3.equals("to")
                    && t.size() > 4 && t.get(4).text.equals("know")) {
                drop = 5;
            } else if (w0.equals("i") && w1.equals("wonder")) {
                drop = 2;
            } else if (w0.equals("do") && w1.equals("you") && w2.equals("know") && t.size() > 3) {
                drop = 3;
            } else if (w0.equals("let") && w1.equals("i") && w2.equals("know") && t.size() > 3) {
                drop = 3; // "let me know" ("me" is already "i")
            } else if (FRAME_WITH_ME.contains(w0) && w1.equals("i") && t.size() > 2) {
                drop = 2; // "tell me", "give me", "show me"
            } else if (FRAME_VERBS.contains(w0) && t.size() > 1) {
                drop = w1.equals("to") && w2.equals("i") ? 3 : 1; // "explain (to me)"
            } else if (w0.equals("what") && (w1.equals("is") || w1.equals("are")) && t.size() > 2) {
                drop = 2; // "what is X" asks for X, like "explain X" (past and future keep their tense word)
            }
            if (drop > 0) {
                t = new ArrayList<>(t.subList(drop, t.size()));
                changed = true;
            }
        }
        // "how to make" -> "how do i make"
        for (int i = 0; i + 1 < t.size(); i++) {
            if (t.get(i).text.equals("how") && t.get(i + 1).text.equals("to") && i + 2 < t.size() && t.get(i + 2).kind == Kind.WORD) {
                Raw to = t.get(i + 1);
                to.text = "do";
                to.kind = Kind.FUNCTION;
                t.add(i + 2, new Raw("i", Kind.WORD, false));
            }
        }
        // "how can I", "how should one" -> "how do i": the generic asker
        for (int i = 0; i + 2 < t.size(); i++) {
            Raw subject = t.get(i + 2);
            boolean generic = GENERIC_SUBJECTS.contains(subject.text) || (subject.kind == Kind.NUMBER && subject.text.equals("1"));
            if (t.get(i).text.equals("how") && WH_HOW_AUX.contains(t.get(i + 1).text) && generic) {
                t.get(i + 1).text = "do";
                t.get(i + 1).kind = Kind.FUNCTION;
                t.get(i + 2).text = "i";
                t.get(i + 2).kind = Kind.WORD;
            }
        }
        return t;
    }
}
