package io.gridwatch.sensor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.gridwatch.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;

/**
 * The JSON of a {@link Reading} on {@code gw.readings.v1}, written and read with Jackson's streaming API: the same
 * document as {@link Json#mapper()} writes (field for field, in the same order), read as strictly (unknown fields and
 * nulls for numbers are errors; numbers where whole numbers belong are refused rather than rounded), at about a third of the cost. Readings are the one record of which every sensor
 * message makes one, so ingest and the jobs use this; everything else goes through the mapper.
 * {@code ReadingJsonTest} holds the two to the same output.
 */
public final class ReadingJson {

    private static final JsonFactory FACTORY = Json.mapper().getFactory();
    /** The number fields, in the order of their presence bits in {@link #read}. */
    private static final String[] PRIMITIVES = {"schema", "ts", "received_at", "lon", "lat", "interval_s"};

    private ReadingJson() {
    }

    public static byte[] write(Reading r) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(320);
             JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schema", r.schema());
            g.writeStringField("sensor_id", r.sensorId());
            g.writeStringField("type", r.type().id());
            g.writeStringField("kind", r.kind());
            g.writeNumberField("ts", r.ts());
            g.writeStringField("ts_iso", r.tsIso());
            g.writeNumberField("received_at", r.receivedAt());
            g.writeFieldName("seq");
            if (r.seq() == null) {
                g.writeNull();
            } else {
                g.writeNumber(r.seq());
            }
            g.writeObjectFieldStart("values");
            for (var e : r.values().entrySet()) {
                g.writeFieldName(e.getKey());
                if (e.getValue() == null) {
                    g.writeNull();
                } else {
                    g.writeNumber(e.getValue());
                }
            }
            g.writeEndObject();
            g.writeFieldName("online");
            if (r.online() == null) {
                g.writeNull();
            } else {
                g.writeBoolean(r.online());
            }
            g.writeNumberField("lon", r.lon());
            g.writeNumberField("lat", r.lat());
            g.writeStringField("grid_code", r.gridCode());
            g.writeStringField("district_code", r.districtCode());
            g.writeStringField("component_code", r.componentCode());
            g.writeNumberField("interval_s", r.intervalS());
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("a reading could not be written as JSON", e);
        }
    }

    /**
     * Reads one reading.
     *
     * @throws IOException when the bytes are not one JSON object of a reading (what is wrong and where)
     */
    public static Reading read(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "a reading must be a JSON object");
            }
            int schema = 0;
            String sensorId = null;
            SensorType type = null;
            String kind = null;
            long ts = 0;
            String tsIso = null;
            long receivedAt = 0;
            Long seq = null;
            LinkedHashMap<String, Double> values = null;
            Boolean online = null;
            double lon = 0;
            double lat = 0;
            String gridCode = null;
            String districtCode = null;
            String componentCode = null;
            int intervalS = 0;
            int primitives = 0; // bit per number field that must be present (the mapper refuses a missing one too)
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "schema" -> {
                        schema = intOnly(p, t, field);
                        primitives |= 1;
                    }
                    case "sensor_id" -> sensorId = text(p, t, field);
                    case "type" -> {
                        String id = text(p, t, field);
                        try {
                            type = id == null ? null : SensorType.of(id);
                        } catch (IllegalArgumentException e) {
                            throw new JsonParseException(p, e.getMessage());
                        }
                    }
                    case "kind" -> kind = text(p, t, field);
                    case "ts" -> {
                        ts = longOnly(p, t, field);
                        primitives |= 2;
                    }
                    case "ts_iso" -> tsIso = text(p, t, field);
                    case "received_at" -> {
                        receivedAt = longOnly(p, t, field);
                        primitives |= 4;
                    }
                    case "seq" -> seq = t == JsonToken.VALUE_NULL ? null : longOnly(p, t, field);
                    case "values" -> values = values(p, t);
                    case "online" -> {
                        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                            online = t == JsonToken.VALUE_TRUE;
                        } else if (t != JsonToken.VALUE_NULL) {
                            throw new JsonParseException(p, "online must be true, false or null, got " + t);
                        }
                    }
                    case "lon" -> {
                        lon = number(p, t, field);
                        primitives |= 8;
                    }
                    case "lat" -> {
                        lat = number(p, t, field);
                        primitives |= 16;
                    }
                    case "grid_code" -> gridCode = text(p, t, field);
                    case "district_code" -> districtCode = text(p, t, field);
                    case "component_code" -> componentCode = text(p, t, field);
                    case "interval_s" -> {
                        intervalS = intOnly(p, t, field);
                        primitives |= 32;
                    }
                    default -> throw new JsonParseException(p, "unknown field '" + field + "' in a reading");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new JsonParseException(p, "a reading must be one JSON object");
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "trailing content after the reading");
            }
            if (primitives != 63) {
                for (int bit = 0; bit < PRIMITIVES.length; bit++) {
                    if ((primitives & (1 << bit)) == 0) {
                        throw new JsonParseException(p, PRIMITIVES[bit] + " is missing from a reading");
                    }
                }
            }
            try {
                return new Reading(schema, sensorId, type, kind, ts, tsIso, receivedAt, seq, values, online, lon, lat, gridCode,
                        districtCode, componentCode, intervalS);
            } catch (NullPointerException | IllegalArgumentException e) {
                throw new JsonParseException(p, "not a valid reading: " + e.getMessage());
            }
        }
    }

    private static LinkedHashMap<String, Double> values(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "values must be an object of metric → number, got " + t);
        }
        LinkedHashMap<String, Double> values = new LinkedHashMap<>(4);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String metric = p.currentName();
            JsonToken v = p.nextToken();
            values.put(metric, v == JsonToken.VALUE_NULL ? null : number(p, v, metric));
        }
        return values;
    }

    private static String text(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new JsonParseException(p, field + " must be a string, got " + t);
        }
        return p.getText();
    }

    private static double number(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
            throw new JsonParseException(p, field + " must be a number, got " + t);
        }
        return p.getDoubleValue();
    }

    private static long longOnly(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new JsonParseException(p, field + " must be a whole number, got " + t);
        }
        return p.getLongValue();
    }

    private static int intOnly(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new JsonParseException(p, field + " must be a whole number, got " + t);
        }
        return p.getIntValue();
    }
}
