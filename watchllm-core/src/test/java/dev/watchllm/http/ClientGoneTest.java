package dev.watchllm.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The adapters' shared pieces: the client-gone callback and a body read ahead. */
class ClientGoneTest {
    @Test
    void registeredThenSignalledRunsOnce() {
        ClientGone g = new ClientGone();
        AtomicInteger runs = new AtomicInteger();
        g.register(runs::incrementAndGet);
        assertFalse(g.isGone());
        g.signal();
        g.signal();
        assertTrue(g.isGone());
        assertEquals(1, runs.get());
    }

    @Test
    void signalledThenRegisteredRunsAtOnce() {
        ClientGone g = new ClientGone();
        g.signal();
        AtomicInteger runs = new AtomicInteger();
        g.register(runs::incrementAndGet);
        assertEquals(1, runs.get());
    }

    @Test
    void racingRegisterAndSignalRunTheCallbackExactlyOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                ClientGone g = new ClientGone();
                AtomicInteger runs = new AtomicInteger();
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch both = new CountDownLatch(2);
                pool.execute(() -> {
                    await(go);
                    g.register(runs::incrementAndGet);
                    both.countDown();
                });
                pool.execute(() -> {
                    await(go);
                    g.signal();
                    both.countDown();
                });
                go.countDown();
                assertTrue(both.await(10, TimeUnit.SECONDS));
                assertEquals(1, runs.get(), "round " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readAheadServesTheBytesOrTheFailure() throws IOException {
        ReadAhead none = new ReadAhead();
        InputStream unread = InputStream.nullInputStream();
        assertEquals(null, none.bytes());
        assertTrue(none.stream(unread) == unread, "not read ahead: the host's own stream");

        ReadAhead read = new ReadAhead();
        read.done(new byte[] {1, 2, 3});
        assertEquals(3, read.bytes().length);
        assertEquals(3, read.stream(unread).readAllBytes().length);

        ReadAhead failed = new ReadAhead();
        failed.failed(new IllegalStateException("reset by peer"));
        IOException e = assertThrows(IOException.class, failed::bytes);
        assertEquals("reset by peer", e.getMessage());
        assertThrows(IOException.class, () -> failed.stream(unread));
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
