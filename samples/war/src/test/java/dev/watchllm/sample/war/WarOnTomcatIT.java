package dev.watchllm.sample.war;

import dev.watchllm.tck.GatewayContract;
import dev.watchllm.tck.Mounted;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/** The contract through the built war, deployed as is in embedded Tomcat 10.1 (the line Debian's tomcat10 ships). */
class WarOnTomcatIT extends GatewayContract {
    @Override
    protected Mounted mount(Path configFile, int maxRequestThreads) throws Exception {
        Path base = Files.createTempDirectory("watchllm-war-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.getHost().setAppBase(Files.createDirectories(base.resolve("webapps")).toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", Integer.toString(maxRequestThreads));
        connector.setPort(0);
        tomcat.getService().addConnector(connector);
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context ctx = tomcat.addWebapp(BuiltWar.CONTEXT_PATH, BuiltWar.file().toAbsolutePath().toString());
        // what Tomcat's conf/web.xml gives every webapp, but JSP (Jasper is not on this class path)
        Wrapper files = Tomcat.addServlet(ctx, "default", "org.apache.catalina.servlets.DefaultServlet");
        files.setLoadOnStartup(1);
        ctx.addServletMappingDecoded("/", "default");
        Tomcat.addDefaultMimeTypeMappings(ctx);
        // a stock Tomcat's class path holds only Tomcat; this JVM's holds the tests' libraries: scan the war alone
        ((StandardJarScanner) ctx.getJarScanner()).setScanClassPath(false);
        BuiltWar.withConfig(configFile, () -> {
            tomcat.start();
            return null;
        });
        if (ctx.getState() != LifecycleState.STARTED) {
            tomcat.stop();
            throw new IllegalStateException("the war did not deploy: " + ctx.getState());
        }
        return new Mounted("http://127.0.0.1:" + connector.getLocalPort() + BuiltWar.CONTEXT_PATH, "/", "WatchLLM gateway", () -> {
            tomcat.stop();
            tomcat.destroy();
        });
    }
}
