package dev.watchllm.tck;

/**
 * A host serving WatchLLM, as a mounting under test started it.
 *
 * @param root     the host application's root URL (scheme, 127.0.0.1, port, context path), no trailing slash;
 *                 the gateway answers below {@code root + "/v1"}
 * @param hostPath a path of the host's own, outside the prefix
 * @param hostText a text the host's answer at {@code hostPath} contains
 * @param stop     stops the host (and whatever the mounting built for it)
 */
public record Mounted(String root, String hostPath, String hostText, AutoCloseable stop) implements AutoCloseable {
    @Override
    public void close() throws Exception {
        stop.close();
    }
}
