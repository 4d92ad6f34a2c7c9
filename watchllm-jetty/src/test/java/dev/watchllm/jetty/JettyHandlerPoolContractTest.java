package dev.watchllm.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.Test;

/**
 * The same contract with {@code setServeOnSelector(false)}: every request on a pool thread, though
 * the engine would allow the selector. The specs are inherited; this class checks the mode.
 */
class JettyHandlerPoolContractTest extends JettyHandlerContractTest {
    @Override
    protected boolean onSelector() {
        return false;
    }

    @Test
    void everyRequestRunsOnAPoolThread() {
        assertTrue(handler.engine().nonBlocking(), "the selector was allowed, and declined");
        assertFalse(handler.servesOnSelector());
        assertEquals(InvocationType.BLOCKING, handler.getInvocationType());
    }
}
