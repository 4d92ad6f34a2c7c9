package dev.watchllm.jetty;

/** The same contract with {@code setServeOnSelector(false)}: every request on a pool thread. */
class JettyHandlerPoolContractTest extends JettyHandlerContractTest {
    @Override
    protected boolean onSelector() {
        return false;
    }
}
