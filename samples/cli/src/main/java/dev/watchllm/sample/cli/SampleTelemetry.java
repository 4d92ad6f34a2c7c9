package dev.watchllm.sample.cli;

import dev.watchllm.observe.ProxyObserver;
import dev.watchllm.otel.WatchLlmTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;

/**
 * The samples' OpenTelemetry: off unless {@code OTEL_TRACES_EXPORTER} is set, then the SDK as its
 * autoconfiguration builds it from the usual {@code OTEL_*} variables ({@code logging} prints spans
 * to stdout, {@code otlp} sends them to a collector). Metrics and logs exporters default to
 * {@code none} here unless set, so a traces-only setup does not try to reach a collector.
 */
public final class SampleTelemetry implements AutoCloseable {
    private static final SampleTelemetry OFF = new SampleTelemetry(null);
    private final OpenTelemetrySdk sdk;

    private SampleTelemetry(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
    }

    public static SampleTelemetry fromEnvironment() {
        String traces = System.getenv("OTEL_TRACES_EXPORTER");
        if (traces == null || traces.isBlank()) return OFF;
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none",
                        "otel.service.name", "watchllm"))
                .build().getOpenTelemetrySdk();
        printSpansToStdout();
        return new SampleTelemetry(sdk);
    }

    /** The {@code logging} exporter writes through java.util.logging (stderr by default): send it to stdout. */
    private static void printSpansToStdout() {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger("io.opentelemetry.exporter.logging");
        java.util.logging.StreamHandler h = new java.util.logging.StreamHandler(System.out, new java.util.logging.SimpleFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord r) {
                super.publish(r);
                flush();
            }
        };
        l.addHandler(h);
        l.setUseParentHandlers(false);
    }

    public ProxyObserver observer() {
        return sdk == null ? ProxyObserver.NONE : WatchLlmTelemetry.create(sdk);
    }

    @Override
    public void close() {
        if (sdk != null) sdk.close();
    }
}
