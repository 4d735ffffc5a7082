package org.healthsearch.engines.opensearch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.painless.spi.PainlessExtension;
import org.opensearch.plugins.Plugin;

/**
 * Starts one OpenSearch 2.19 node inside this JVM, the way OpenSearch's own test
 * framework does (a {@link Node} subclass given the plugin classes directly),
 * so no OpenSearch distribution needs to be downloaded: every jar comes from
 * Maven Central.
 *
 * <p>Settings, lowest precedence first:
 * <ol>
 *   <li>the defaults in {@link #defaults()} (loopback only, cluster
 *       {@code healthsearch-test}, HTTP 9201, transport 9301, ...);</li>
 *   <li>{@code config/opensearch.yml} under {@code path.home}, if present;</li>
 *   <li>system properties {@code -Dopensearch.setting.<key>=<value>};</li>
 *   <li>arguments {@code <key>=<value>} or {@code -E<key>=<value>}.</li>
 * </ol>
 *
 * <p>Plugins on the classpath that are loaded: transport-netty4, analysis-common,
 * lang-painless and mapper-extras (a missing optional one is skipped with a
 * warning). Extra plugin classes can be named with
 * {@code -Dhealthsearch.opensearch.plugins=fq.Class1,fq.Class2}.
 *
 * <p>Painless extensions (allow-lists other plugins add to painless, e.g.
 * analysis-common's for {@code predicate_token_filter} scripts) are normally
 * wired by PluginsService only between plugins installed as directories with a
 * descriptor naming {@code extended.plugins}; classpath plugins get none. We load
 * them with {@link ServiceLoader} before the node is built, see
 * {@link #loadPainlessExtensions()}.
 *
 * <p>No Java security manager is installed and no bootstrap checks are run
 * (those belong to OpenSearch's {@code Bootstrap}, which we do not use), so the
 * node starts as an unprivileged process without JNA, mlockall or seccomp.
 * SIGTERM / SIGINT close the node through a shutdown hook.
 */
public final class NodeLauncher {

    /** System properties with this prefix become node settings. */
    static final String SETTING_PROPERTY_PREFIX = "opensearch.setting.";

    /** Name of the system property that log4j2.xml reads for the node name. */
    static final String LOG_NODE_NAME_PROPERTY = "healthsearch.node.name";

    /** Plugins we need: [class name, required?]. */
    private static final String[][] PLUGINS = {
        {"org.opensearch.transport.Netty4Plugin", "required"},
        {"org.opensearch.analysis.common.CommonAnalysisPlugin", "required"},
        {"org.opensearch.painless.PainlessPlugin", "required"},
        {"org.opensearch.index.mapper.MapperExtrasPlugin", "optional"},
    };

    private NodeLauncher() {}

    /** A node whose plugins come from the classpath rather than plugins/ and modules/. */
    static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
            // true: forbid private index settings, as a production node does.
            super(environment, classpathPlugins, true);
        }
    }

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("cluster.name", "healthsearch-test");
        d.put("node.name", "node-1");
        d.put("network.host", "127.0.0.1");
        d.put("http.port", "9201");
        d.put("transport.port", "9301");
        d.put("path.home", Paths.get("target", "opensearch-home").toString());
        // Test machines have little free disk; never block allocation on watermarks.
        d.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        return d;
    }

    static Map<String, String> collectSettings(String[] args) {
        Map<String, String> s = defaults();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(SETTING_PROPERTY_PREFIX) && name.length() > SETTING_PROPERTY_PREFIX.length()) {
                s.put(name.substring(SETTING_PROPERTY_PREFIX.length()), System.getProperty(name));
            }
        }
        for (String arg : args) {
            String a = arg.startsWith("-E") ? arg.substring(2) : arg;
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected <key>=<value> or -E<key>=<value>, got [" + arg + "]");
            }
            s.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return s;
    }

    static List<Class<? extends Plugin>> pluginClasses() {
        List<String[]> wanted = new ArrayList<>(List.of(PLUGINS));
        String extra = System.getProperty("healthsearch.opensearch.plugins", "").trim();
        if (!extra.isEmpty()) {
            for (String name : extra.split(",")) {
                if (!name.isBlank()) {
                    wanted.add(new String[] {name.trim(), "required"});
                }
            }
        }
        List<Class<? extends Plugin>> classes = new ArrayList<>();
        for (String[] p : wanted) {
            try {
                classes.add(Class.forName(p[0]).asSubclass(Plugin.class));
            } catch (ClassNotFoundException e) {
                if ("required".equals(p[1])) {
                    throw new IllegalStateException("plugin class " + p[0] + " is not on the classpath", e);
                }
                System.err.println("[launcher] optional plugin " + p[0] + " not on the classpath; skipped");
            }
        }
        return classes;
    }

    /**
     * Feeds every {@link PainlessExtension} on the classpath to painless. PainlessPlugin
     * keeps its allow-lists in a static map that {@code loadExtensions} adds to, so
     * calling it on a throwaway instance before the node (and so the script engine)
     * is built is enough. Must run at most once per JVM.
     */
    static int loadPainlessExtensions() {
        final ClassLoader cl = NodeLauncher.class.getClassLoader();
        final int[] count = {0};
        new PainlessPlugin().loadExtensions(new org.opensearch.plugins.ExtensiblePlugin.ExtensionLoader() {
            @Override
            public <T> List<T> loadExtensions(Class<T> type) {
                List<T> found = ServiceLoader.load(type, cl).stream().map(ServiceLoader.Provider::get)
                    .collect(Collectors.toList());
                count[0] += found.size();
                return found;
            }
        });
        return count[0];
    }

    public static void main(String[] args) throws Exception {
        final Map<String, String> raw;
        try {
            raw = collectSettings(args);
        } catch (IllegalArgumentException e) {
            System.err.println("[launcher] " + e.getMessage());
            System.exit(2);
            return;
        }
        // Must happen before the first logger is created (log4j2.xml reads it).
        System.setProperty(LOG_NODE_NAME_PROPERTY, raw.get("node.name"));

        Path home = Paths.get(raw.get("path.home")).toAbsolutePath();
        raw.put("path.home", home.toString());
        Files.createDirectories(home.resolve("config"));

        Settings.Builder builder = Settings.builder();
        raw.forEach(builder::put);
        final Settings input = builder.build();

        final Environment environment =
            InternalSettingsPreparer.prepareEnvironment(input, Collections.emptyMap(), null, () -> raw.get("node.name"));
        final List<Class<? extends Plugin>> plugins = pluginClasses();
        final int painlessExtensions = loadPainlessExtensions();

        final CountDownLatch stopped = new CountDownLatch(1);
        final Node[] holder = new Node[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Node node;
            synchronized (holder) {
                node = holder[0];
            }
            try {
                if (node != null && !node.isClosed()) {
                    System.err.println("[launcher] shutting down node " + raw.get("node.name"));
                    node.close();
                    if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                        System.err.println("[launcher] node did not close within 30s");
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("[launcher] error while closing node: " + e);
            } finally {
                stopped.countDown();
                org.apache.logging.log4j.LogManager.shutdown();
            }
        }, "healthsearch-node-shutdown"));

        try {
            Node node = new EmbeddedNode(environment, plugins);
            synchronized (holder) {
                holder[0] = node;
            }
            node.start();
        } catch (Throwable t) {
            System.err.println("[launcher] node " + raw.get("node.name") + " failed to start: " + t);
            t.printStackTrace();
            System.exit(1);
            return;
        }
        System.err.println("[launcher] node " + raw.get("node.name") + " started; http.port=" + raw.get("http.port")
            + " transport.port=" + raw.get("transport.port") + " plugins=" + plugins.size()
            + " painless_extensions=" + painlessExtensions);
        // The node's own threads keep running; keep main parked until the hook has run.
        stopped.await();
    }
}
