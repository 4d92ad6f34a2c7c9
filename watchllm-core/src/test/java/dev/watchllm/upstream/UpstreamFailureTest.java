package dev.watchllm.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class UpstreamFailureTest {
    @Test
    void describeIsOneShortLine() {
        assertEquals("ConnectException: Connection refused",
                new UpstreamFailure(UpstreamFailure.Kind.CONNECT, new ConnectException("Connection refused")).describe());
        assertEquals("EOFException", new UpstreamFailure(UpstreamFailure.Kind.RESET,
                new EOFException("HttpConnectionOverHTTP@1::SocketChannelEndPoint@2[{l=/10.0.0.5:53884,r=/10.0.0.9:443,ISHUT}]" + "x".repeat(200))).describe());
        assertEquals("IllegalStateException: first line",
                new UpstreamFailure(UpstreamFailure.Kind.RESET, new IllegalStateException("first line\nsecond line")).describe());
        assertEquals("TimeoutException", new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, new java.util.concurrent.TimeoutException()).describe());
        assertEquals("", new UpstreamFailure(UpstreamFailure.Kind.CANCELLED, null).describe());
    }
}
