package dev.watchllm.upstream;

/**
 * A model-name glob: {@code *} matches any run of characters, {@code ?} one character; case
 * sensitive, like model ids. Matched by hand, not by regex, since it runs per request.
 */
public final class ModelGlob {
    private final String glob;

    public ModelGlob(String glob) {
        this.glob = glob;
    }

    public boolean matches(String model) {
        return match(glob, 0, model, 0);
    }

    private static boolean match(String g, int gi, String s, int si) {
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (gi < g.length() && (g.charAt(gi) == '?' || g.charAt(gi) == s.charAt(si))) {
                gi++;
                si++;
            } else if (gi < g.length() && g.charAt(gi) == '*') {
                star = gi++;
                mark = si;
            } else if (star >= 0) {
                gi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (gi < g.length() && g.charAt(gi) == '*') gi++;
        return gi == g.length();
    }

    @Override
    public String toString() {
        return glob;
    }
}
