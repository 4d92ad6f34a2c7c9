package dev.watchllm.sample.jetty;

import dev.watchllm.sample.cli.GatewayCli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.ConfigLoader;
import dev.watchllm.config.WatchLlmConfig;
import dev.watchllm.testing.FakeProvider;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main sample's CLI, run in process (and once as a real process, to stop it with SIGTERM). */
class MainTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    FakeProvider provider;

    @BeforeEach
    void startProvider() throws Exception {
        provider = new FakeProvider();
    }

    @AfterEach
    void stopProvider() throws Exception {
        provider.close();
    }

    /** Runs the CLI in process; returns {exit code, stdout, stderr}. */
    static String[] cli(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    static GatewayCli.Serving serve(ByteArrayOutputStream out, String... args) throws Exception {
        return Main.serve(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Path config(String projects) throws IOException {
        Path f = dir.resolve("watchllm.yaml");
        Files.writeString(f, "upstreams:\n  - name: fake\n    baseUrl: " + provider.baseUrl() + "\n    apiKey: sk-fake\n    timeout: 10s\n"
                + "projects:\n" + projects + "store: { type: local, dir: " + dir.resolve("data") + " }\n");
        return f;
    }

    static OpenAIClient sdk(int port, String key) {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    /** A chat call with a prompt of its own, so the response cache never answers it from an earlier call. */
    static String chat(int port, String key) {
        return sdk(port, key).chat().completions().create(ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI)
                .addUserMessage("hi #" + CALLS.incrementAndGet()).build()).choices().get(0).message().content().orElseThrow();
    }

    static final java.util.concurrent.atomic.AtomicInteger CALLS = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void keysCreatePrintsTheKeyAloneThenAConfigEntryThatWorks() throws Exception {
        String[] r = cli("keys", "create", "--project", "shop-prod", "--env", "prod");
        assertEquals("0", r[0], r[2]);
        List<String> lines = r[1].lines().collect(Collectors.toList());
        String key = lines.get(0);
        assertTrue(ApiKeys.isWellFormed(key) && key.startsWith("lgw_prod_"), "line 1 is the key alone: '" + key + "'");
        String entry = lines.stream().filter(l -> l.startsWith("- {")).findFirst().orElseThrow();
        assertTrue(entry.contains("sha256: \"" + ApiKeys.sha256Hex(key) + "\""), entry);
        assertFalse(entry.contains(key));
        assertEquals(1, r[1].split(key, -1).length - 1, "the key is printed once");

        // the entry, pasted as the issue says, authenticates the key end to end
        Path cfg = config("  - id: shop-prod\n    plan: pro\n    keys:\n      " + entry + "\n");
        WatchLlmConfig parsed = ConfigLoader.load(cfg, n -> null);
        assertEquals(ApiKeys.sha256Hex(key), parsed.project("shop-prod").keys().get(0).sha256());
        int port = freePort();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GatewayCli.Serving s = serve(out, "--config", cfg.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1")) {
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("WatchLLM listening on http://127.0.0.1:" + port + "/v1"), out.toString());
            assertFalse(out.toString(StandardCharsets.UTF_8).contains("Minted"), "the project has a key in the config");
            provider.enqueue(FakeProvider.chat("served by the sample"));
            assertEquals("served by the sample", chat(port, key));
            assertEquals("Bearer sk-fake", provider.takeRequest().header("Authorization"));

            provider.enqueue(FakeProvider.stream("str", "eam"));
            try (StreamResponse<ChatCompletionChunk> st = sdk(port, key).chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model(ChatModel.GPT_4O_MINI).addUserMessage("hi, streamed").build())) {
                assertEquals("stream", st.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                        .collect(Collectors.joining()));
            }
            HttpResponse<String> host = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(host.body().startsWith("WatchLLM gateway"), "the host's own servlet answers outside /v1: " + host.body());
            assertThrows(com.openai.errors.UnauthorizedException.class, () -> chat(port, ApiKeys.mint("prod")));
        }
    }

    @Test
    void keysCreateUsageErrors() throws Exception {
        assertEquals("2", cli("keys")[0]);
        assertEquals("2", cli("keys", "list")[0]);
        String[] r = cli("keys", "create");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--project ID is required"), r[2]);
        assertEquals("2", cli("keys", "create", "--project")[0]);
        r = cli("keys", "create", "--project", "p", "--env", "PROD");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--env must be lower-case letters"), r[2]);
        assertEquals("2", cli("keys", "create", "--project", "p", "--bogus")[0]);
        assertEquals("", cli("keys", "create", "--project", "p", "--env", "PROD")[1], "nothing on stdout when it fails");
    }

    @Test
    void serveArgumentErrors() throws Exception {
        String[] r = cli("--port", "eighty");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--port needs a number"), r[2]);
        assertEquals("2", cli("--port", "70000")[0]);
        assertEquals("2", cli("--frobnicate")[0]);
        assertEquals("2", cli("--config")[0]);
        r = cli("--config", dir.resolve("missing.yaml").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("Config error: config file not found"), r[2]);
        r = cli("--help");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("keys create --project ID"));
    }

    @Test
    void firstStartMintsAKeyOnceAndKeepsOnlyItsHash() throws Exception {
        Path cfg = config("  - id: demo\n    plan: starter\n");
        Path store = dir.resolve("data").resolve("keys.jsonl");
        int port = freePort();
        String key;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GatewayCli.Serving s = serve(out, "--config", cfg.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1")) {
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
            int i = 0;
            while (!lines.get(i).startsWith("Minted a key for project 'demo'")) i++;
            key = lines.get(i + 1).trim();
            assertTrue(ApiKeys.isWellFormed(key), key);
            assertEquals(1, out.toString(StandardCharsets.UTF_8).split(key, -1).length - 1, "printed once");
            String stored = Files.readString(store);
            assertTrue(stored.contains(ApiKeys.sha256Hex(key)), stored);
            assertFalse(stored.contains(key), "only the hash is kept");
            assertFalse(stored.contains(key.substring(12)), "not even most of the key");
            provider.enqueue(FakeProvider.chat("hello demo"));
            assertEquals("hello demo", chat(port, key));
        }
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path p : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                assertFalse(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(key), p + " holds the key");
            }
        }

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (GatewayCli.Serving s = serve(again, "--config", cfg.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1")) {
            assertFalse(again.toString(StandardCharsets.UTF_8).contains("Minted"), again.toString());
            assertEquals(1, Files.readAllLines(store).size(), "no second key");
            provider.enqueue(FakeProvider.chat("welcome back"));
            assertEquals("welcome back", chat(port, key), "the stored hash still authenticates after a restart");
        }
    }

    @Test
    void theBundledConfigLoads() throws Exception {
        WatchLlmConfig c = ConfigLoader.load(Main.class.getResourceAsStream("/watchllm.yaml"));
        assertEquals(List.of("openai", "ollama"), c.upstreams().stream().map(u -> u.name()).collect(Collectors.toList()));
        assertEquals("https://api.openai.com/v1", c.upstream("openai").baseUrl());
        assertEquals("http://127.0.0.1:11434/v1", c.upstream("ollama").baseUrl());
        assertTrue(c.upstream("ollama").models().contains("llama*"));
        assertTrue(c.project("demo").keys().isEmpty(), "the demo key is minted on first start");
    }

    /** A real process stopped with SIGTERM: the in-flight stream finishes, then the process exits. */
    @Test
    void sigtermLetsAnInFlightStreamFinish() throws Exception {
        String key = ApiKeys.mint("dev");
        Path cfg = config("  - id: demo\n    keys: [ { id: d1, sha256: \"" + ApiKeys.sha256Hex(key) + "\" } ]\n");
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--config", cfg.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1")
                .redirectErrorStream(true).start();
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) output.add(l);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            List<String> seen = new ArrayList<>();
            while (seen.stream().noneMatch(l -> l.contains("WatchLLM listening on"))) {
                String l = output.poll(30, TimeUnit.SECONDS);
                assertTrue(l != null, "the sample did not start: " + seen);
                seen.add(l);
            }
            provider.enqueue(FakeProvider.streamEvery(150, "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight"));
            HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            Iterator<String> lines = r.body().iterator();
            List<String> events = new ArrayList<>();
            while (events.isEmpty()) {
                String l = lines.next();
                if (l.startsWith("data: ")) events.add(l);
            }
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM, as a process manager sends it
            lines.forEachRemaining(l -> {
                if (l.startsWith("data: ")) events.add(l);
            });
            String text = events.stream().filter(e -> e.contains("\"content\":\"")).map(e -> {
                int s = e.indexOf("\"content\":\"") + 11;
                return e.substring(s, e.indexOf('"', s));
            }).collect(Collectors.joining());
            assertEquals("one two three four five six seven eight", text, "the stream finished after SIGTERM");
            assertEquals("data: [DONE]", events.get(events.size() - 1));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process exits once the stream is done");
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 700, "the stop waited for the stream");
            assertThrows(ConnectException.class, () -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        } finally {
            p.destroyForcibly();
        }
    }
}
