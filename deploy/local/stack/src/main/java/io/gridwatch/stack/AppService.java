package io.gridwatch.stack;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One of gridwatch's own services that {@code up} runs in the background: a {@code gridwatch <command>} in a JVM of its
 * own. Adding a service (the video ingest, the command-center server) is one more of these in the CLI's registry.
 *
 * @param name         its name in {@code status}, in {@code var/log/<name>.log} and {@code var/run/<name>.pid}
 * @param command      the gridwatch command and its arguments, e.g. {@code ["pipeline"]}
 * @param jvmOptions   options of its JVM, e.g. its heap
 * @param startTimeout how long {@code up} waits for it to say it is ready
 * @param stopTimeout  how long {@code down} waits after SIGTERM before SIGKILL (a job takes a savepoint meanwhile)
 * @param consumes     the Kafka consumer group and topic whose lag {@code status} shows, or null
 */
public record AppService(String name, List<String> command, List<String> jvmOptions, Duration startTimeout, Duration stopTimeout,
                         Consumes consumes) {

    /** A consumer group reading a topic. */
    public record Consumes(String group, String topic) {
        public Consumes {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(topic, "topic");
        }
    }

    public AppService {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        jvmOptions = List.copyOf(jvmOptions);
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("a service name is lower-case letters, digits and '-': " + name);
        }
    }
}
