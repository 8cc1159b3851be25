package io.gridwatch.stack;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What one part of the stack is doing, for {@code gridwatch status} and for the report of {@code up}/{@code down}.
 *
 * @param name    the part: {@value LocalStack#KAFKA}, {@value LocalStack#MQTT}, {@value LocalStack#POSTGRES} or an {@link AppService}'s name
 * @param state   up (ours, healthy), down, or external (running, but not started by us: never stopped by us)
 * @param address where clients connect (bootstrap servers, MQTT URI or JDBC URL)
 * @param pid     the process id, or null when unknown or not running
 * @param dataDir where the part keeps its data, or null when unknown
 * @param detail  one line for people: what was done or found
 */
public record ServiceStatus(String name, State state, String address, Long pid, Path dataDir, String detail) {

    public enum State {
        UP, DOWN, EXTERNAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ServiceStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(address, "address");
        detail = detail == null ? "" : detail;
    }

    /** The part of the detail that warns ("WARNING: …"), for callers to show loudly. */
    public java.util.Optional<String> warning() {
        int i = detail.indexOf("WARNING:");
        return i < 0 ? java.util.Optional.empty() : java.util.Optional.of(detail.substring(i));
    }

    /** Whether clients can use the part now. */
    public boolean usable() {
        return state != State.DOWN;
    }
}
