package dev.watchllm.semantic.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.watchllm.openai.Endpoint;
import dev.watchllm.openai.ParsedRequest;
import dev.watchllm.openai.RequestParser;
import dev.watchllm.semantic.Embedder;
import dev.watchllm.semantic.SemanticCache;
import dev.watchllm.semantic.embed.LocalEmbedder;
import dev.watchllm.semantic.index.LocalVectorIndex;
import dev.watchllm.semantic.verify.ParaphraseVerifier;
import dev.watchllm.semantic.verify.ParaphraseVerifier.Guard;
import dev.watchllm.semantic.verify.ParaphraseVerifier.Verdict;
import dev.watchllm.semantic.verify.PromptText;
import dev.watchllm.semantic.verify.WordNetLexicon;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Measures the semantic cache on pairs of prompts ({@code {"a","b","match","kind"}} per line):
 * {@code a} is stored, {@code b} looked up, each pair in a fresh project, through the real
 * {@link VerifiedSemanticCache} (local embedder, in-memory index). Reports recall on
 * {@code match: true} pairs, false hits on {@code match: false} pairs, and what each guard of the
 * {@link ParaphraseVerifier} changes.
 *
 * <pre>java -jar watchllm-jetty.jar semantic eval FILE.jsonl [--threshold 0.80] [--verbose]</pre>
 */
public final class SemanticEval {
    /** The similarity threshold the eval uses unless told otherwise: the recommended {@code semantic.threshold}. */
    public static final double DEFAULT_THRESHOLD = 0.80;

    /** One labelled pair. */
    public record Pair(String a, String b, boolean match, String kind) {
    }

    /** What happened to one pair: the similarity of the normalised prompts and whether the cache hit. */
    public record Outcome(Pair pair, double similarity, boolean hit, Verdict verdict) {
    }

    /** The run: outcomes through the cache, and recall/false hits per guard configuration. */
    public record Report(double threshold, List<Outcome> outcomes, Map<String, int[]> configurations, Map<Double, int[]> thresholds) {
        public int positives() {
            return (int) outcomes.stream().filter(o -> o.pair().match()).count();
        }

        public int negatives() {
            return outcomes.size() - positives();
        }

        public int hits() {
            return (int) outcomes.stream().filter(o -> o.pair().match() && o.hit()).count();
        }

        public int falseHits() {
            return (int) outcomes.stream().filter(o -> !o.pair().match() && o.hit()).count();
        }

        public double recall() {
            return positives() == 0 ? 1.0 : (double) hits() / positives();
        }
    }

    private final Embedder embedder;
    private final ParaphraseVerifier verifier;

    public SemanticEval(Embedder embedder, ParaphraseVerifier verifier) {
        this.embedder = embedder;
        this.verifier = verifier;
    }

    /** Reads pairs from JSON lines; blank lines are skipped. */
    public static List<Pair> read(InputStream in) throws IOException {
        List<Pair> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank()) continue;
            JsonNode j;
            try {
                j = RequestParser.mapper().readTree(line);
            } catch (IOException e) {
                throw new IOException("line " + n + ": not JSON: " + e.getMessage(), e);
            }
            if (!j.path("a").isTextual() || !j.path("b").isTextual() || !j.path("match").isBoolean()) {
                throw new IOException("line " + n + ": needs string 'a', string 'b' and boolean 'match'");
            }
            out.add(new Pair(j.get("a").asText(), j.get("b").asText(), j.get("match").asBoolean(), j.path("kind").asText("-")));
        }
        return out;
    }

    /** Runs every pair through a fresh-project cache at {@code threshold}. */
    public Report run(List<Pair> pairs, double threshold) throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        try (LocalVectorIndex index = LocalVectorIndex.inMemory(LocalVectorIndex.Settings.DEFAULT);
             VerifiedSemanticCache cache = VerifiedSemanticCache.builder().index(index).embedder(embedder).verifier(verifier)
                     .lookupTimeout(Duration.ofSeconds(30)).sweepEvery(null).build()) {
            int i = 0;
            for (Pair p : pairs) {
                String project = "eval-" + (i++);
                if (!cache.store(project, request(p.a()), "answer-of-a", Duration.ofHours(1)).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("could not store '" + p.a() + "'");
                }
                Optional<SemanticCache.Hit> hit = cache.lookup(project, request(p.b()), threshold).toCompletableFuture().get(30, TimeUnit.SECONDS);
                PromptText a = PromptText.of(p.a());
                PromptText b = PromptText.of(p.b());
                double sim = similarity(a, b);
                outcomes.add(new Outcome(p, sim, hit.isPresent(), verifier.verify(b, a, sim)));
            }
        }
        Map<String, int[]> configs = new LinkedHashMap<>();
        Set<Guard> all = EnumSet.allOf(Guard.class);
        configs.put("embedding only", score(outcomes, threshold, EnumSet.noneOf(Guard.class)));
        for (Guard g : Guard.values()) configs.put("only " + g.name().toLowerCase(Locale.ROOT), score(outcomes, threshold, EnumSet.of(g)));
        for (Guard g : Guard.values()) {
            EnumSet<Guard> without = EnumSet.copyOf(all);
            without.remove(g);
            configs.put("all but " + g.name().toLowerCase(Locale.ROOT), score(outcomes, threshold, without));
        }
        configs.put("all guards", score(outcomes, threshold, all));
        Map<Double, int[]> sweep = new TreeMap<>();
        for (double t : new double[] {0.60, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95}) {
            int[] none = score(outcomes, t, EnumSet.noneOf(Guard.class));
            int[] guarded = score(outcomes, t, all);
            sweep.put(t, new int[] {none[0], none[1], guarded[0], guarded[1]});
        }
        return new Report(threshold, outcomes, configs, sweep);
    }

    private double similarity(PromptText a, PromptText b) throws Exception {
        float[] x = embedder.embed(a.normalized()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        float[] y = embedder.embed(b.normalized()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        double d = 0;
        for (int i = 0; i < x.length; i++) d += x[i] * y[i];
        return Math.min(1.0, d);
    }

    /** {hits on positives, false hits on negatives} with {@code guards} at {@code threshold}. */
    private int[] score(List<Outcome> outcomes, double threshold, Set<Guard> guards) {
        ParaphraseVerifier v = verifier.with(guards);
        int hits = 0;
        int falseHits = 0;
        for (Outcome o : outcomes) {
            if (o.similarity() < threshold) continue;
            boolean ok = v.verify(PromptText.of(o.pair().b()), PromptText.of(o.pair().a()), o.similarity()).accepted();
            if (!ok) continue;
            if (o.pair().match()) hits++; else falseHits++;
        }
        return new int[] {hits, falseHits};
    }

    /** A chat request whose only message is {@code text}. */
    static ParsedRequest request(String text) {
        ObjectNode body = RequestParser.mapper().createObjectNode();
        body.put("model", "gpt-4o-mini");
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", text);
        byte[] raw = body.toString().getBytes(StandardCharsets.UTF_8);
        RequestParser.Result r = RequestParser.parse(Endpoint.CHAT_COMPLETIONS, raw);
        if (r.error() != null) throw new IllegalArgumentException(r.error().message());
        return r.request();
    }

    /** Prints the report. */
    public static void print(Report r, String name, boolean verbose, PrintStream out) {
        out.printf(Locale.ROOT, "Semantic cache eval: %s (%d pairs, threshold %.2f)%n", name, r.outcomes().size(), r.threshold());
        out.printf(Locale.ROOT, "  recall on match:true   %d/%d = %.1f%%%n", r.hits(), r.positives(), 100 * r.recall());
        out.printf(Locale.ROOT, "  false hits on match:false  %d/%d%n", r.falseHits(), r.negatives());
        out.println();
        out.println("  guards                 recall      false hits");
        for (Map.Entry<String, int[]> e : r.configurations().entrySet()) {
            out.printf(Locale.ROOT, "  %-20s %3d/%-3d %5.1f%%   %3d/%d%n", e.getKey(), e.getValue()[0], r.positives(),
                    r.positives() == 0 ? 100.0 : 100.0 * e.getValue()[0] / r.positives(), e.getValue()[1], r.negatives());
        }
        out.println();
        out.println("  threshold   embedding only (recall, false hits)   all guards (recall, false hits)");
        for (Map.Entry<Double, int[]> e : r.thresholds().entrySet()) {
            int[] v = e.getValue();
            out.printf(Locale.ROOT, "  %.2f        %3d/%d  %3d/%d                          %3d/%d  %3d/%d%n", e.getKey(),
                    v[0], r.positives(), v[1], r.negatives(), v[2], r.positives(), v[3], r.negatives());
        }
        out.println();
        Map<String, int[]> kinds = new TreeMap<>();
        for (Outcome o : r.outcomes()) {
            int[] k = kinds.computeIfAbsent((o.pair().match() ? "match:true  " : "match:false ") + o.pair().kind(), x -> new int[3]);
            k[0]++;
            if (o.hit()) k[1]++;
            if (o.similarity() >= r.threshold()) k[2]++;
        }
        out.println("  kind                          pairs   hits   over threshold (embedding only)");
        for (Map.Entry<String, int[]> e : kinds.entrySet()) {
            out.printf(Locale.ROOT, "  %-30s %4d   %4d   %4d%n", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]);
        }
        boolean header = false;
        for (Outcome o : r.outcomes()) {
            boolean wrong = o.hit() != o.pair().match();
            if (!wrong && !verbose) continue;
            if (!header) {
                out.println();
                out.println(verbose ? "  every pair:" : "  misses and false hits:");
                header = true;
            }
            String what = o.hit() ? (o.pair().match() ? "hit" : "FALSE HIT") : (o.pair().match() ? "MISS" : "refused");
            String why = o.similarity() < r.threshold() ? "similarity below threshold"
                    : o.verdict().accepted() ? "verified" : o.verdict().rejectedBy() + ": " + o.verdict().reason();
            out.printf(Locale.ROOT, "  %-9s %.4f  %s | %s  (%s)%n", what, o.similarity(), o.pair().a(), o.pair().b(), why);
        }
    }

    /**
     * The {@code semantic eval FILE.jsonl [--threshold T] [--verbose]} command; returns the exit
     * code: 0, or 1 when a {@code match: false} pair was served (a false hit).
     */
    public static int cli(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length < 2 || !args[0].equals("eval")) {
            err.println("Usage: semantic eval FILE.jsonl [--threshold 0.80] [--verbose]");
            return 2;
        }
        Path file = Path.of(args[1]);
        double threshold = DEFAULT_THRESHOLD;
        boolean verbose = false;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--threshold":
                    if (i + 1 >= args.length) {
                        err.println("--threshold needs a value in (0, 1]");
                        return 2;
                    }
                    threshold = Double.parseDouble(args[++i]);
                    if (!(threshold > 0 && threshold <= 1)) {
                        err.println("--threshold must be in (0, 1]");
                        return 2;
                    }
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                default:
                    err.println("Unknown argument: " + args[i]);
                    return 2;
            }
        }
        if (!Files.isRegularFile(file)) {
            err.println("No such file: " + file);
            return 2;
        }
        List<Pair> pairs;
        try (InputStream in = Files.newInputStream(file)) {
            pairs = read(in);
        }
        try (LocalEmbedder embedder = new LocalEmbedder()) {
            embedder.ready().toCompletableFuture().get(5, TimeUnit.MINUTES);
            SemanticEval eval = new SemanticEval(embedder, new ParaphraseVerifier(WordNetLexicon.load()));
            Report r = eval.run(pairs, threshold);
            print(r, file.getFileName().toString(), verbose, out);
            return r.falseHits() == 0 ? 0 : 1;
        }
    }
}
