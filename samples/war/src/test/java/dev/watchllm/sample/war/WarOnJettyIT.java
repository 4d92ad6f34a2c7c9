package dev.watchllm.sample.war;

import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The contract through the built war, deployed as is in embedded Jetty 12 (ee10). */
class WarOnJettyIT extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        Server server = new Server(new QueuedThreadPool(maxRequestThreads));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(BuiltWar.CONTEXT_PATH);
        webapp.setWar(BuiltWar.file().toAbsolutePath().toString());
        webapp.setTempDirectory(Files.createTempDirectory("watchllm-war-jetty").toFile());
        webapp.setThrowUnavailableOnStartupException(true); // a filter that fails to start fails the deployment
        server.setHandler(webapp);
        BuiltWar.withConfig(configFile, () -> {
            server.start();
            return null;
        });
        return new Mounted("http://127.0.0.1:" + connector.getLocalPort() + BuiltWar.CONTEXT_PATH, "/", "WatchLLM gateway",
                server::stop);
    }
}
