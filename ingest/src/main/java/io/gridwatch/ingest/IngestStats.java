package io.gridwatch.ingest;

import io.gridwatch.sensor.RejectReason;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A snapshot of a {@link SensorBridge}'s counters since it started.
 *
 * @param received      messages taken from MQTT (redeliveries included)
 * @param accepted      readings written to {@code gw.readings.v1} (and acknowledged to the broker)
 * @param rejected      messages written to {@code gw.deadletter.v1}, per reason (and acknowledged)
 * @param inFlight      messages received but not yet acknowledged (waiting for Kafka)
 * @param kafkaFailures Kafka writes that failed and were tried again
 * @param connects      successful MQTT connections (the first one and every reconnect)
 * @param connected     whether the MQTT connection is up now
 */
public record IngestStats(long received, long accepted, Map<RejectReason, Long> rejected, long inFlight,
                          long kafkaFailures, long connects, boolean connected) {

    public IngestStats {
        rejected = Map.copyOf(rejected);
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    public long rejected(RejectReason reason) {
        return rejected.getOrDefault(reason, 0L);
    }

    /** One line for a log or a terminal, e.g. {@code accepted 1200, rejected 3 (bad_json 2, unknown_sensor 1), …}. */
    public String summary() {
        String reasons = new EnumMap<>(rejected).entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey().code() + " " + e.getValue()).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "received %d, accepted %d, rejected %d%s, in flight %d, kafka retries %d, mqtt %s",
                received, accepted, rejectedTotal(), reasons.isEmpty() ? "" : " (" + reasons + ")", inFlight, kafkaFailures,
                connected ? "connected" : "DISCONNECTED");
    }
}
