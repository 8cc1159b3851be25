package io.gridwatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.json.Json;
import io.gridwatch.scenario.CityDay;
import io.gridwatch.sensor.RejectReason;
import io.gridwatch.sensor.SensorType;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/**
 * A slice of a {@link CityDay} as published over MQTT by the scenario test: minutes {@code 0 … minutes-1}
 * (00:00–20:00 holds every scripted event and its clearing), every scripted sensor and every
 * {@link #QUIET_SAMPLE}th quiet one at full rate, every malformed message of the script, and one more
 * malformed message a minute of a kind the script lacks, so that each reason of CONTRACTS.md §1 is met
 * (and more than 1,000 malformed messages flow between the valid ones).
 *
 * <p>Also what a correct pipeline makes of it, beyond {@link CityDay#expectedCases()}: when each case
 * must end, from the published readings and the clear conditions of CONTRACTS.md §1.
 */
final class CityDayScenario {

    /** One in this many quiet sensors is published (wl-000, the target of the script's malformed messages, is one). */
    static final int QUIET_SAMPLE = 6;

    /** A malformed message and the reason the bridge must give. */
    record Malformed(String topic, byte[] payload, String reason) {
        String key() {
            return reason + " " + topic + " " + payload.length + "B#" + Arrays.hashCode(payload);
        }
    }

    /** A valid reading as published: its time and values. */
    record Sent(long ts, Map<String, Double> values) {
    }

    final CityDay day;
    final int minutes;
    final Set<String> published = new LinkedHashSet<>();
    final List<CityDay.Message> messages = new ArrayList<>();
    final List<Malformed> malformed = new ArrayList<>();
    /** sensor → its distinct readings (by seq) in time order. */
    final Map<String, List<Sent>> readings = new TreeMap<>();
    int duplicates;

    CityDayScenario(CityDay day, int minutes) {
        this.day = day;
        this.minutes = minutes;
        int quiet = 0;
        for (CityDay.SimSensor s : day.sensors()) {
            if (s.script() != CityDay.Script.QUIET || quiet++ % QUIET_SAMPLE == 0) {
                published.add(s.id());
            }
        }
        Map<String, Set<Long>> seqs = new TreeMap<>();
        for (int m = 0; m < minutes; m++) {
            for (CityDay.Message msg : day.minute(m)) {
                String text = msg.text();
                if (!text.contains("\"seq\":")) {
                    malformed.add(new Malformed(msg.topic(), msg.payload(), scriptReason(msg)));
                    messages.add(msg);
                    continue;
                }
                String sensor = sensorOf(msg.topic());
                if (!published.contains(sensor)) {
                    continue;
                }
                messages.add(msg);
                JsonNode n = json(text);
                if (!seqs.computeIfAbsent(sensor, k -> new LinkedHashSet<>()).add(n.path("seq").asLong())) {
                    duplicates++;
                    continue;
                }
                Map<String, Double> values = new LinkedHashMap<>();
                n.path("values").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asDouble()));
                readings.computeIfAbsent(sensor, k -> new ArrayList<>()).add(new Sent(n.path("ts").asLong(), values));
            }
            Malformed extra = extraMalformed(m);
            malformed.add(extra);
            messages.add(new CityDay.Message(extra.topic(), extra.payload()));
        }
        readings.values().forEach(list -> list.sort(java.util.Comparator.comparingLong(Sent::ts)));
    }

    static String sensorOf(String topic) {
        String rest = topic.substring("gw/v1/sensors/".length());
        return rest.substring(0, rest.indexOf('/'));
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reason for each of the script's broken messages (CityDay's noise script). */
    private static String scriptReason(CityDay.Message m) {
        String t = m.text();
        if (m.topic().contains("/nobody-")) {
            return RejectReason.UNKNOWN_SENSOR.code();
        } else if (t.equals("{\"ts\":")) {
            return RejectReason.BAD_JSON.code();
        } else if (t.contains("\"deep\"")) {
            return RejectReason.NON_NUMERIC.code();
        } else if (t.contains(":999}")) {
            return RejectReason.OUT_OF_RANGE.code();
        } else if (t.contains("\\u0000")) {
            return RejectReason.BAD_METRIC.code();
        }
        return RejectReason.FUTURE_TS.code();
    }

    /** Malformed messages of kinds the script lacks, in the topic of a sensor that is flooding meanwhile. */
    private Malformed extraMalformed(int m) {
        String topic = "gw/v1/sensors/wl-flood-1/telemetry";
        long ts = day.at(m);
        return switch (m % 11) {
            case 0 -> new Malformed(topic, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, RejectReason.NOT_UTF8.code());
            case 1 -> bytes(topic, "{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":NaN}}", RejectReason.NOT_FINITE);
            case 2 -> bytes(topic, "{\"values\":{\"water_level_cm\":3.0}}", RejectReason.MISSING_TS);
            case 3 -> bytes(topic, "{\"ts\":\"" + day.day() + " 10:00\",\"values\":{\"water_level_cm\":3.0}}", RejectReason.BAD_TS);
            case 4 -> bytes(topic, "{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":3.0},\"seq\":\"seven\"}", RejectReason.WRONG_TYPE);
            case 5 -> bytes(topic, "{\"ts\":" + ts + "}", RejectReason.MISSING_FIELD);
            case 6 -> bytes(topic, "[" + ts + ",3.0]", RejectReason.BAD_JSON);
            case 7 -> bytes(topic, "{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":3.0},\"pad\":\"" + "x".repeat(17_000) + "\"}",
                    RejectReason.TOO_LARGE);
            case 8 -> bytes("gw/v1/sensors/wl flood!/telemetry", "{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":3.0}}",
                    RejectReason.BAD_SENSOR_ID);
            case 9 -> bytes("gw/v1/sensors/wl-flood-1/status", "{\"ts\":" + ts + "}", RejectReason.MISSING_FIELD);
            default -> bytes(topic, "{\"ts\":" + ts + ",\"values\":{\"water_level_cm\":3.0,\"bad\\u0000name\":1}}", RejectReason.BAD_METRIC);
        };
    }

    private static Malformed bytes(String topic, String payload, RejectReason reason) {
        return new Malformed(topic, payload.getBytes(StandardCharsets.UTF_8), reason.code());
    }

    /**
     * Publishes every message in order, QoS 1, within the broker's window of 20 unacknowledged messages. One
     * connection, so that the city's sensors keep in step as in real time: the pipeline merges the detections of
     * several sensors (a district's rain gauges) in the order they come.
     */
    void publish(String mqttUri) throws Exception {
        MqttAsyncClient pub = new MqttAsyncClient(mqttUri, "it-city-" + UUID.randomUUID(), new MemoryPersistence());
        pub.connect(new MqttConnectionOptions()).waitForCompletion(30_000);
        Semaphore window = new Semaphore(20);
        MqttActionListener release = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken t) {
                window.release();
            }

            @Override
            public void onFailure(IMqttToken t, Throwable e) {
                window.release();
            }
        };
        for (CityDay.Message msg : messages) {
            MqttMessage m = new MqttMessage(msg.payload());
            m.setQos(1);
            window.acquire();
            while (true) {
                try {
                    pub.publish(msg.topic(), m, null, release);
                    break;
                } catch (MqttException e) {
                    if (e.getReasonCode() != 32202) { // Paho: too many publishes in progress, for a moment
                        throw e;
                    }
                    Thread.sleep(1);
                }
            }
        }
        window.acquire(20);
        pub.disconnect().waitForCompletion(10_000);
        pub.close();
    }

    int validMessages() {
        return messages.size() - malformed.size();
    }

    /**
     * When the case of {@code sensor} must end: the clear condition of its type (CONTRACTS.md §1) holds from
     * the reading after the last one that broke it, for the type's hold; the first reading at or past that.
     */
    long expectedEnd(String sensor, SensorType type) {
        return clearing(sensor, type)[1];
    }

    /** When the readings of {@code sensor} first showed the cause gone for good: the ended case's {@code last_seen}. */
    long expectedLastSeen(String sensor, SensorType type) {
        return clearing(sensor, type)[0];
    }

    /** {first reading of the final clearing run, the reading that completes its hold}. */
    private long[] clearing(String sensor, SensorType type) {
        Predicate<Map<String, Double>> clear;
        long holdMs;
        switch (type) {
            case WATER_LEVEL -> {
                clear = v -> v.get("water_level_cm") < 5;
                holdMs = 10 * 60_000L;
            }
            case MANHOLE -> {
                clear = v -> v.get("cover_open") == 0 && v.get("tilt_deg") < 5;
                holdMs = 5 * 60_000L;
            }
            case BIN_FILL -> {
                clear = v -> v.get("fill_pct") < 50;
                holdMs = 0;
            }
            case ROAD_WEATHER -> {
                clear = v -> v.get("snow_depth_cm") < 0.5;
                holdMs = 30 * 60_000L;
            }
            default -> throw new IllegalArgumentException(type + " raises no case");
        }
        List<Sent> rs = readings.get(sensor);
        int lastBad = -1;
        for (int i = 0; i < rs.size(); i++) {
            if (!clear.test(rs.get(i).values())) {
                lastBad = i;
            }
        }
        if (lastBad < 0 || lastBad + 1 >= rs.size()) {
            throw new IllegalStateException(sensor + ": the published slice never clears it");
        }
        long firstGood = rs.get(lastBad + 1).ts();
        for (int i = lastBad + 1; i < rs.size(); i++) {
            if (rs.get(i).ts() >= firstGood + holdMs) {
                return new long[] {firstGood, rs.get(i).ts()};
            }
        }
        throw new IllegalStateException(sensor + ": the published slice ends before the clear hold of " + type + " passes");
    }

    String summary() {
        return String.format(Locale.ROOT, "%d sensors of %d, minutes 0-%d: %d messages (%d valid incl. %d duplicates, %d malformed)",
                published.size(), day.sensors().size(), minutes - 1, messages.size(), validMessages(), duplicates, malformed.size());
    }
}
