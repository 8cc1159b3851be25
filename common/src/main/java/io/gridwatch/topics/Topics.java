package io.gridwatch.topics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The topic registry: every Kafka topic of CONTRACTS.md §3, and the internal {@link #CAMERAS}. */
public final class Topics {

    private Topics() {
    }

    /** Normalised sensor readings, keyed by sensor id. A week is enough to replay for backtests. */
    public static final Topic READINGS = new Topic("gw.readings.v1", "sensor id", 8,
            Optional.of(Duration.ofDays(7)), false, "normalised sensor readings (JSON)");

    /** Sampled camera frames (JPEG), keyed by camera id. Large, so kept one day only. */
    public static final Topic FRAMES = new Topic("gw.frames.v1", "camera id", 8,
            Optional.of(Duration.ofDays(1)), false, "JPEG frames; metadata in record headers");

    /** Observations of possible problems, keyed by source (sensor or camera) id. */
    public static final Topic DETECTIONS = new Topic("gw.detections.v1", "source id", 4,
            Optional.of(Duration.ofDays(30)), false, "observations of possible problems with evidence references");

    /**
     * What the video job's detectors saw per camera zone and object in each frame, before any dwell rule, keyed by
     * camera id: {@code gridwatch rules backtest} replays it through candidate dwell rules. A week, like the readings.
     */
    public static final Topic OBSERVATIONS = new Topic("gw.observations.v1", "camera id", 4,
            Optional.of(Duration.ofDays(7)), false, "per-frame detector observations per camera zone (JSON)");

    /** Citizen, supervisor and hotline (12319) reports, keyed by report id. */
    public static final Topic REPORTS = new Topic("gw.reports.v1", "report id", 2,
            Optional.of(Duration.ofDays(30)), false, "citizen / supervisor / hotline reports");

    /** Case lifecycle messages (new/update/end), keyed by case id. PostgreSQL holds the record of truth. */
    public static final Topic CASES = new Topic("gw.cases.v1", "case id", 4,
            Optional.of(Duration.ofDays(90)), false, "case lifecycle messages: new / update / end");

    /** Alerts for the flood and snow teams, keyed by alert id. */
    public static final Topic ALERTS = new Topic("gw.alerts.v1", "alert id", 2,
            Optional.of(Duration.ofDays(90)), false, "alerts: raised / escalated / cleared");

    /** Detection rules, compacted: the newest value per rule id is the rule; a null value deletes it. */
    public static final Topic RULES = new Topic("gw.rules.v1", "rule id", 1,
            Optional.empty(), true, "detection rules (compacted; null deletes)");

    /**
     * The camera registry for the camera ingest workers (internal: not in CONTRACTS §3), compacted: key camera id, value
     * the camera's definition in the JSON shape of §2 plus {@code schema}, a null value when the camera was removed. The
     * workers share its partitions in one consumer group, so the partitions are the unit of spreading cameras over
     * them: more partitions than workers, or some workers idle.
     */
    public static final Topic CAMERAS = new Topic("gw.cameras.v1", "camera id", 16,
            Optional.empty(), true, "camera definitions for the ingest workers (compacted; null removes)");

    /** Everything that could not be processed: the original bytes, with the reason in headers. */
    public static final Topic DEADLETTER = new Topic("gw.deadletter.v1", "as received", 2,
            Optional.of(Duration.ofDays(14)), false, "rejected input with source, reason and received time in headers");

    /** All topics, in the order of CONTRACTS.md §3, then the internal ones ({@link #OBSERVATIONS}, {@link #CAMERAS}). */
    public static final List<Topic> ALL = List.of(READINGS, FRAMES, DETECTIONS, REPORTS, CASES, ALERTS, RULES, DEADLETTER, OBSERVATIONS, CAMERAS);

    /** Header names on dead-letter records (CONTRACTS.md §3). */
    public static final String HEADER_SOURCE = "source";
    public static final String HEADER_REASON = "reason";
    public static final String HEADER_RECEIVED = "received";
}
