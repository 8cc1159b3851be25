package io.gridwatch.detection;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.gridwatch.cases.Severity;
import io.gridwatch.catalogue.CatalogueClass;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One observation of a possible problem, on {@code gw.detections.v1} (keyed by source id):
 * what a rule over sensor readings, or a detector over camera frames, saw at one moment.
 * The cases job turns detections into cases (one case per problem).
 *
 * <pre>{@code
 * {"schema":1,"detection_id":"wl-0031/water_level.default/1785197100000/raised",
 *  "source":{"type":"sensor","id":"wl-0031"},"rule_id":"water_level.default",
 *  "state":"raised","problem_key":"sensor:wl-0031:water_level.default",
 *  "category":{"kind":"event","code":"0406"},"component_code":null,"team":"flood",
 *  "severity":"blue","ts":1785197100000,"started_at":1785196800000,"confidence":0.97,
 *  "lon":121.5301,"lat":38.8756,"grid_code":"210211016003007","district_code":"210211",
 *  "metric":"water_level_cm","value":17.5,"unit":"cm",
 *  "evidence":[{"type":"sensor_series","uri":"gridwatch://readings/wl-0031?from=1785196800000&to=1785197100000","ts":null,"box":null}],
 *  "ended_at":null,"revises":null}
 * }</pre>
 *
 * @param detectionId deterministic: the same input gives the same id, so a replay can be deduplicated
 * @param state       {@code raised} (condition met), {@code update} (still met, and the severity rose),
 *                    {@code cleared} (the cause is gone), {@code watch} (an alert without a case, e.g. a district
 *                    flood watch), {@code offline} / {@code online} (maintenance signals, never cases); and two
 *                    corrections (修正) that late readings cause: {@code revised} (the problem's latest episode, re-judged
 *                    in event-time order, began at {@code startedAt}, has {@code severity} and — when {@code endedAt} is
 *                    set — cleared then) and {@code retracted} (re-judged in order, the condition never held: the case
 *                    raised for it was wrong)
 * @param problemKey  what makes two detections the same problem (the same case)
 * @param category    the 部件/事件 class, or null for maintenance signals
 * @param team        the response team to alert ({@code flood}, {@code snow}), or null
 * @param severity    {@code blue}, {@code yellow}, {@code orange}, {@code red}, or null
 * @param startedAt   when the condition began (the first reading that met it); for {@code cleared}, when the clearing
 *                    began (the first reading that showed the cause gone), for {@code online}, when the sensor went offline
 * @param endedAt     {@code revised} only: when the corrected episode's clearing began (the case's last_seen once ended),
 *                    or null while it is still open; null for every other state
 * @param revises     {@code revised} and {@code retracted} only: the {@code started_at} the corrected episode was sent
 *                    with before — which of the problem's cases the correction is for; null for every other state
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Detection(int schema, String detectionId, Source source, String ruleId, State state, String problemKey,
                        Category category, String componentCode, String team, Severity severity, long ts, long startedAt,
                        double confidence, double lon, double lat, String gridCode, String districtCode,
                        String metric, Double value, String unit, ArrayList<Evidence> evidence, Long endedAt,
                        Long revises) {

    public static final int SCHEMA = 1;

    /** What a detection says about its problem; see {@link Detection} for each. On the wire in lower case. */
    public enum State {
        RAISED, UPDATE, CLEARED, WATCH, OFFLINE, ONLINE, REVISED, RETRACTED;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The wire form, so that logs and ids read as the JSON does. */
        @Override
        public String toString() {
            return id();
        }

        @JsonCreator
        public static State of(String id) {
            return byId(State.class, id, "detection state");
        }

        /** {@code offline} / {@code online}: a sensor's maintenance signal, never a case. */
        public boolean isMaintenance() {
            return this == OFFLINE || this == ONLINE;
        }
    }

    /** The constant whose lower-case name is {@code id}; the error names what was read and what is known. */
    private static <E extends Enum<E>> E byId(Class<E> type, String id, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + id + "'; known: "
                + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
    }

    /** Who saw it: a sensor, a camera or a report (CONTRACTS.md §4 {@code sources[].type}). */
    public enum SourceType {
        SENSOR, CAMERA, REPORT;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The wire form, so that logs and ids read as the JSON does. */
        @Override
        public String toString() {
            return id();
        }

        @JsonCreator
        public static SourceType of(String id) {
            return byId(SourceType.class, id, "source type");
        }
    }

    public Detection {
        Objects.requireNonNull(detectionId, "detection_id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(state, "state");
        evidence = evidence == null ? new ArrayList<>() : evidence;
    }

    /**
     * Where a detection came from, and its id.
     *
     * @param zone a camera's zone (CONTRACTS.md §2 {@code zones[].name}) that saw it; null for sensors and reports, and
     *             then left out of the JSON
     */
    public record Source(SourceType type, String id, @JsonInclude(JsonInclude.Include.NON_NULL) String zone) {
        public Source {
            Objects.requireNonNull(type, "source type");
            Objects.requireNonNull(id, "source id");
        }

        public Source(SourceType type, String id) {
            this(type, id, null);
        }

        /** A camera's zone. */
        public static Source camera(String cameraId, String zone) {
            return new Source(SourceType.CAMERA, cameraId, Objects.requireNonNull(zone, "zone"));
        }

        /** A sensor's readings. */
        public static Source sensor(String sensorId) {
            return new Source(SourceType.SENSOR, sensorId);
        }
    }

    /** A 部件/事件 class: its kind and its code. */
    public record Category(CatalogueClass.Kind kind, String code) {
    }

    /**
     * A reference to evidence: a sensor series, or a frame with the box of what was seen
     * ({@code [x1, y1, x2, y2]} in 0..1 image coordinates) and the SHA-256 of the stored picture (hex), so that a
     * reader can tell the picture was not changed; {@code sha256} is null (and left out of the JSON) for a series.
     */
    public record Evidence(String type, String uri, Long ts, double[] box,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String sha256) {

        /** The type of a stored camera picture. */
        public static final String FRAME = "frame";

        public Evidence(String type, String uri, Long ts, double[] box) {
            this(type, uri, ts, box, null);
        }

        /** A stored frame: where it is, when it was taken, the box of what was seen, its content hash. */
        public static Evidence frame(String uri, long ts, double[] box, String sha256) {
            return new Evidence(FRAME, uri, ts, box, Objects.requireNonNull(sha256, "sha256"));
        }

        /** The type of a sensor's readings over a span of time. */
        public static final String SENSOR_SERIES = "sensor_series";
        private static final String SERIES_PREFIX = "gridwatch://readings/";
        private static final String SERIES_END = "&to=";

        /** The readings of {@code sensorId} in {@code [from, to]}: {@code gridwatch://readings/<sensor>?from=<ms>&to=<ms>}. */
        public static Evidence sensorSeries(String sensorId, long from, long to) {
            return new Evidence(SENSOR_SERIES, SERIES_PREFIX + sensorId + "?from=" + from + SERIES_END + to, null, null);
        }

        /**
         * A sensor series' URI without its end: the same for a series and a longer one of the same sensor from the same
         * start (one problem seen again); null for any other evidence.
         */
        public static String seriesStart(String type, String uri) {
            if (!SENSOR_SERIES.equals(type) || uri == null || !uri.startsWith(SERIES_PREFIX)) {
                return null;
            }
            int end = uri.lastIndexOf(SERIES_END);
            return end < 0 ? null : uri.substring(0, end);
        }
    }
}
