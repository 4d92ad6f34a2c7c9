package dev.watchllm.sample.war;

import java.nio.file.Files;
import java.nio.file.Path;

/** The war this module built, as a container would deploy it, and how the deployment is told its config. */
final class BuiltWar {
    /** What stock Tomcat names the context of {@code watchllm-war.war}. */
    static final String CONTEXT_PATH = "/watchllm-war";

    private BuiltWar() {
    }

    static Path file() {
        String war = System.getProperty("watchllm.war");
        if (war == null || !Files.isRegularFile(Path.of(war))) {
            throw new IllegalStateException("the built war is missing (" + war + "): run through 'mvn verify'");
        }
        return Path.of(war);
    }

    /**
     * Deploys with the config file in system property {@code watchllm.config} (the war's web.xml
     * names none), as an operator would with {@code -Dwatchllm.config} or {@code $WATCHLLM_CONFIG}.
     */
    static <T> T withConfig(Path config, java.util.concurrent.Callable<T> deploy) throws Exception {
        System.setProperty("watchllm.config", config.toString());
        try {
            return deploy.call();
        } finally {
            System.clearProperty("watchllm.config");
        }
    }
}
