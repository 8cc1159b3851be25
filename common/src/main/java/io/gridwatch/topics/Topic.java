package io.gridwatch.topics;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One Kafka topic of CONTRACTS.md §3: its name, what its key is, and how the topic is laid out.
 * Plain data, so that ingest, jobs, the launcher and tests share one registry without any of
 * them importing Kafka here.
 *
 * @param name          the topic name, versioned ({@code gw.readings.v1})
 * @param key           what the record key holds, in words (sensor id, camera id …)
 * @param partitions    partitions to create; keys are spread over them
 * @param retention     how long records are kept; empty means forever
 * @param compacted     whether the topic keeps only the newest value per key (a null value deletes)
 * @param description   what flows on it, for people and for {@code gridwatch status}
 */
public record Topic(String name, String key, int partitions, Optional<Duration> retention,
                    boolean compacted, String description) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(description, "description");
        if (!name.matches("gw\\.[a-z]+\\.v\\d+")) {
            throw new IllegalArgumentException("topic name must look like gw.<what>.v<N>: " + name);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least one partition");
        }
    }

    /** Retention in milliseconds as Kafka's {@code retention.ms} wants it; -1 for forever. */
    public long retentionMs() {
        return retention.map(Duration::toMillis).orElse(-1L);
    }
}
