package io.gridwatch.sensor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import io.gridwatch.grid.GridLocation;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks one sensor message from MQTT against CONTRACTS.md §1 and turns it into a {@link Reading},
 * enriched with what the registry knows about the sensor and the unit grid it stands in; or says
 * why not ({@link Rejection}). Pure and thread-safe: no I/O, no clock of its own.
 *
 * <p>Top-level fields other than {@code ts}, {@code values}, {@code seq} and {@code online} are ignored, so that
 * devices may add diagnostics without being dead-lettered. Metrics a type does not define are kept unchecked.
 */
public final class TelemetryParser {

    /** CONTRACTS.md §1: payloads are at most 16 KiB. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024;
    /** CONTRACTS.md §1: a measurement time further than this after reception is a device clock error. */
    public static final Duration MAX_FUTURE = Duration.ofMinutes(10);
    /** The longest metric name kept, in characters: ten times the longest the contract names. */
    public static final int MAX_METRIC_NAME = 128;
    /** Topic prefix of CONTRACTS.md §1. */
    public static final String TOPIC_PREFIX = "gw/v1/sensors/";

    /** Finds a registered sensor by id. */
    @FunctionalInterface
    public interface Registry {
        Optional<Sensor> find(String sensorId);
    }

    /** The unit grid holding a WGS-84 point; {@code GridIndex::lookup} is one. */
    @FunctionalInterface
    public interface GridLookup {
        Optional<GridLocation> lookup(double lon, double lat);
    }

    /** What became of a message. */
    public sealed interface Result permits Accepted, Rejection {
    }

    /** A valid message, normalised. */
    public record Accepted(Reading reading) implements Result {
    }

    /**
     * An invalid message.
     *
     * @param sensorId the id segment of the topic as received (the dead-letter key), null when the topic had none
     * @param message  what was wrong, for people
     */
    public record Rejection(RejectReason reason, String sensorId, String message) implements Result, ParsedTopic {
        public Rejection {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** A topic read: a {@link Topic}, or a {@link Rejection} when it is not one of ours. */
    public sealed interface ParsedTopic permits Topic, Rejection {
    }

    /** A valid topic: the sensor id and {@link Reading#TELEMETRY} or {@link Reading#STATUS}. */
    public record Topic(String sensorId, String kind) implements ParsedTopic {
    }

    private static final ObjectMapper LENIENT_NUMBERS = JsonMapper.builder()
            // parse NaN/Infinity so that they are named as such, not as a syntax error
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Registry registry;
    private final GridLookup grids;

    public TelemetryParser(Registry registry, GridLookup grids) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.grids = Objects.requireNonNull(grids, "grids");
    }

    /**
     * Parses {@code gw/v1/sensors/{id}/telemetry|status}.
     *
     * @return the topic, or a {@link Rejection} ({@link RejectReason#BAD_TOPIC} or {@link RejectReason#BAD_SENSOR_ID})
     */
    public static ParsedTopic parseTopic(String topic) {
        if (topic == null || !topic.startsWith(TOPIC_PREFIX)) {
            return new Rejection(RejectReason.BAD_TOPIC, null, "topic '" + topic + "' is not " + TOPIC_PREFIX + "{sensorId}/telemetry|status");
        }
        int slash = topic.indexOf('/', TOPIC_PREFIX.length());
        String kind = slash < 0 ? null : topic.substring(slash + 1);
        if (slash < 0 || !(Reading.TELEMETRY.equals(kind) || Reading.STATUS.equals(kind))) {
            return new Rejection(RejectReason.BAD_TOPIC, null, "topic '" + topic + "' is not " + TOPIC_PREFIX + "{sensorId}/telemetry|status");
        }
        String id = topic.substring(TOPIC_PREFIX.length(), slash);
        if (!Sensor.ID_PATTERN.matcher(id).matches()) {
            return new Rejection(RejectReason.BAD_SENSOR_ID, id, "sensor id '" + id + "' in topic does not match " + Sensor.ID_PATTERN.pattern());
        }
        return new Topic(id, kind);
    }

    /**
     * Checks and normalises one message.
     *
     * @param topic      the MQTT topic it arrived on
     * @param payload    its bytes
     * @param receivedAt when it was received, epoch ms (the reference for "in the future")
     */
    public Result parse(String topic, byte[] payload, long receivedAt) {
        ParsedTopic t = parseTopic(topic);
        if (t instanceof Rejection r) {
            return r;
        }
        Topic tp = (Topic) t;
        String id = tp.sensorId();
        if (payload.length > MAX_PAYLOAD_BYTES) {
            return reject(RejectReason.TOO_LARGE, id, "payload of " + payload.length + " bytes is larger than " + MAX_PAYLOAD_BYTES);
        }
        if (!isUtf8(payload)) {
            return reject(RejectReason.NOT_UTF8, id, "payload is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = LENIENT_NUMBERS.readTree(payload);
        } catch (IOException e) {
            return reject(RejectReason.BAD_JSON, id, "payload is not valid JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return reject(RejectReason.BAD_JSON, id, "payload must be a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
        }

        JsonNode tsNode = root.get("ts");
        if (tsNode == null || tsNode.isNull()) {
            return reject(RejectReason.MISSING_TS, id, "ts is missing");
        }
        long ts;
        if (tsNode.isNumber()) {
            if (!Double.isFinite(tsNode.asDouble())) {
                return reject(RejectReason.NOT_FINITE, id, "ts is " + tsNode.asDouble());
            }
            if (!tsNode.isIntegralNumber() || !tsNode.canConvertToLong() || tsNode.asLong() < 0) {
                return reject(RejectReason.BAD_TS, id, "ts " + tsNode + " is not a whole, non-negative number of epoch milliseconds");
            }
            ts = tsNode.asLong();
        } else if (tsNode.isTextual()) {
            try {
                ts = OffsetDateTime.parse(tsNode.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                return reject(RejectReason.BAD_TS, id, "ts '" + tsNode.asText() + "' is not an ISO-8601 time with an offset");
            }
        } else {
            return reject(RejectReason.BAD_TS, id, "ts must be epoch milliseconds or an ISO-8601 string, got " + tsNode.getNodeType());
        }
        if (ts - receivedAt > MAX_FUTURE.toMillis()) {
            return reject(RejectReason.FUTURE_TS, id, "ts " + Instant.ofEpochMilli(ts) + " is more than " + MAX_FUTURE.toMinutes()
                    + " min after reception at " + Instant.ofEpochMilli(receivedAt));
        }

        Long seq = null;
        JsonNode seqNode = root.get("seq");
        if (seqNode != null && !seqNode.isNull()) {
            if (seqNode.isNumber() && !Double.isFinite(seqNode.asDouble())) {
                return reject(RejectReason.NOT_FINITE, id, "seq is " + seqNode.asDouble());
            }
            if (!seqNode.isIntegralNumber() || !seqNode.canConvertToLong()) {
                return reject(RejectReason.WRONG_TYPE, id, "seq must be an integer, got " + seqNode);
            }
            seq = seqNode.asLong();
        }

        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        Boolean online = null;
        if (Reading.TELEMETRY.equals(tp.kind())) {
            JsonNode v = root.get("values");
            if (v == null || v.isNull()) {
                return reject(RejectReason.MISSING_FIELD, id, "telemetry needs values (metric → number)");
            }
            if (!v.isObject()) {
                return reject(RejectReason.WRONG_TYPE, id, "values must be an object of metric → number, got " + v.getNodeType());
            }
            if (v.isEmpty()) {
                return reject(RejectReason.MISSING_FIELD, id, "values is empty");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!isMetricName(e.getKey())) {
                    return reject(RejectReason.BAD_METRIC, id, "metric name \"" + new String(JsonStringEncoder.getInstance()
                            .quoteAsString(e.getKey().length() > MAX_METRIC_NAME ? e.getKey().substring(0, MAX_METRIC_NAME) + "…" : e.getKey()))
                            + "\" is empty, longer than " + MAX_METRIC_NAME + " characters or holds control characters");
                }
                JsonNode n = e.getValue();
                if (!n.isNumber()) {
                    return reject(RejectReason.NON_NUMERIC, id, "value of " + e.getKey() + " is not a number: " + n);
                }
                double d = n.asDouble();
                if (!Double.isFinite(d)) {
                    return reject(RejectReason.NOT_FINITE, id, "value of " + e.getKey() + " is " + d);
                }
                values.put(e.getKey(), d);
            }
        } else {
            JsonNode o = root.get("online");
            if (o == null || o.isNull()) {
                return reject(RejectReason.MISSING_FIELD, id, "status needs online (true or false)");
            }
            if (!o.isBoolean()) {
                return reject(RejectReason.WRONG_TYPE, id, "online must be true or false, got " + o);
            }
            online = o.asBoolean();
        }

        Optional<Sensor> found = registry.find(id);
        if (found.isEmpty()) {
            return reject(RejectReason.UNKNOWN_SENSOR, id, "sensor '" + id + "' is not registered (gridwatch sensors import)");
        }
        Sensor s = found.get();
        for (Map.Entry<String, SensorType.Range> m : s.type().metrics().entrySet()) {
            Double d = values.get(m.getKey());
            if (d != null && !m.getValue().contains(d)) {
                return reject(RejectReason.OUT_OF_RANGE, id, m.getKey() + " = " + d + " is outside " + m.getValue().min() + ".."
                        + m.getValue().max() + " for a " + s.type().id() + " sensor");
            }
        }
        Optional<GridLocation> grid = grids.lookup(s.lon(), s.lat());
        return new Accepted(new Reading(Reading.SCHEMA, id, s.type(), tp.kind(), ts, Instant.ofEpochMilli(ts).toString(), receivedAt,
                seq, values, online, s.lon(), s.lat(), grid.map(GridLocation::gridCode).orElse(null),
                grid.map(GridLocation::districtCode).orElse(null), s.componentCode(), s.intervalS()));
    }

    /** A metric name we keep: 1 to {@link #MAX_METRIC_NAME} characters, none of them a control character. */
    static boolean isMetricName(String name) {
        if (name.isEmpty() || name.length() > MAX_METRIC_NAME) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code bytes} are UTF-8; ASCII, what devices send, is checked without decoding. */
    static boolean isUtf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Rejection reject(RejectReason reason, String sensorId, String message) {
        return new Rejection(reason, sensorId, message);
    }
}
