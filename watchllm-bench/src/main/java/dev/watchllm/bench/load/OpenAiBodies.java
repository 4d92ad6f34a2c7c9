package dev.watchllm.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * The fixed answers of the benchmarks' providers, shaped like OpenAI's: one chat completion, and
 * the same answer as SSE events (role chunk, {@code chunks} content chunks, finish chunk, the
 * usage-only chunk when asked for, {@code [DONE]}). Built once; the arrays are shared, never
 * modified.
 */
public final class OpenAiBodies {
    private static final String HEAD = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1733300000,"
            + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_bench\",\"choices\":";
    private static final String USAGE = "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":%d,\"total_tokens\":%d,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}";

    final byte[] completion;
    final byte[] models;
    final byte[][] events;
    final byte[][] eventsWithUsage;

    public OpenAiBodies(int chunks) {
        if (chunks < 1) throw new IllegalArgumentException("chunks must be at least 1");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks; i++) text.append(word(i));
        String usage = String.format(java.util.Locale.ROOT, USAGE, chunks, 12 + chunks);
        completion = utf8("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1733300000,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\",\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}]," + usage + "}");
        models = utf8("{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":1721172741,"
                + "\"owned_by\":\"system\"}]}");
        events = new byte[chunks + 3][];
        eventsWithUsage = new byte[chunks + 4][];
        int n = 0;
        events[n++] = event(HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}]}");
        for (int i = 0; i < chunks; i++) {
            events[n++] = event(HEAD + "[{\"index\":0,\"delta\":{\"content\":\"" + word(i) + "\"},\"logprobs\":null,"
                    + "\"finish_reason\":null}]}");
        }
        events[n++] = event(HEAD + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}");
        System.arraycopy(events, 0, eventsWithUsage, 0, n);
        eventsWithUsage[n] = event(HEAD + "[]," + usage + "}");
        events[n] = event("[DONE]");
        eventsWithUsage[n + 1] = events[n];
    }

    /** The plain chat completion. */
    public byte[] completion() {
        return completion;
    }

    /** The stream's events, each ending with its blank line; with the usage-only chunk when {@code withUsage}. */
    public byte[][] events(boolean withUsage) {
        return withUsage ? eventsWithUsage : events;
    }

    private static String word(int i) {
        return i == 0 ? "Hello" : " word" + i;
    }

    private static byte[] event(String data) {
        return utf8("data: " + data + "\n\n");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
