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
 */
public record MosquittoConfig(String bindHost, int port, String user, String persistenceDir) {

    static final String TEMPLATE = "/io/gridwatch/stack/mosquitto.conf.template";

    public MosquittoConfig {
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
                "user", user, "persistence_dir", persistenceDir).entrySet()) {
            text = text.replace("${" + v.getKey() + "}", v.getValue());
        }
        return text;
    }
}
