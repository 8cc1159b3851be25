package io.gridwatch.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * Mosquitto's configuration, from the template {@value #TEMPLATE}.
 *
 * @param bindHost        the address to listen on
 * @param port            the MQTT port
 * @param user            the user Mosquitto runs as when started by root (it would change to {@code mosquitto}
 *                        otherwise, which cannot write our persistence directory)
 * @param persistenceDir  where retained messages and persistent sessions are saved; must end with a slash
 * @param maxQueuedMessages QoS 1 messages kept for one client beyond those in flight; 0 = no limit (ours). Mosquitto's
 *                        own default is {@value #MOSQUITTO_DEFAULT_MAX_QUEUED}, which tests use to stand for a broker we adopt
 */
public record MosquittoConfig(String bindHost, int port, String user, String persistenceDir, int maxQueuedMessages) {

    /** Mosquitto's default {@code max_queued_messages}. */
    public static final int MOSQUITTO_DEFAULT_MAX_QUEUED = 1000;

    static final String TEMPLATE = "/io/gridwatch/stack/mosquitto.conf.template";

    /** Ours: nothing queued for a disconnected session is ever dropped. */
    public MosquittoConfig(String bindHost, int port, String user, String persistenceDir) {
        this(bindHost, port, user, persistenceDir, 0);
    }

    public MosquittoConfig {
        if (maxQueuedMessages < 0) {
            throw new IllegalArgumentException("maxQueuedMessages must be 0 (no limit) or more, not " + maxQueuedMessages);
        }
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(persistenceDir, "persistenceDir");
        if (!persistenceDir.endsWith("/")) {
            persistenceDir = persistenceDir + "/";
        }
    }

    /** The text of mosquitto.conf. */
    public String render() {
        String text;
        try (InputStream in = MosquittoConfig.class.getResourceAsStream(TEMPLATE)) {
            text = new String(Objects.requireNonNull(in, TEMPLATE).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Map.Entry<String, String> v : Map.of("bind_host", bindHost, "port", Integer.toString(port),
                "user", user, "persistence_dir", persistenceDir, "max_queued_messages", Integer.toString(maxQueuedMessages)).entrySet()) {
            text = text.replace("${" + v.getKey() + "}", v.getValue());
        }
        return text;
    }
}
