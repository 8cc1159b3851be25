package io.gridwatch.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gridwatch.models.cnn.Task;
import io.gridwatch.models.cnn.TileClassifier;
import io.gridwatch.models.detect.AppearAndStayDetector;
import io.gridwatch.models.detect.CnnTileDetector;
import io.gridwatch.models.detect.HogVendorDetector;

import java.nio.file.Path;
import java.util.List;

/** The detector factory: one backend per configuration {@code type}. */
public final class Detectors {

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Detectors() {
    }

    public static Detector create(DetectorConfig config) {
        if (config instanceof DetectorConfig.CnnTiles c) {
            return new CnnTileDetector(load(c.models(), Task.OBJECTS), load(c.models(), Task.SNOW), c.threshold());
        }
        if (config instanceof DetectorConfig.AppearAndStay c) {
            return new AppearAndStayDetector(c);
        }
        if (config instanceof DetectorConfig.HogPeople c) {
            return new HogVendorDetector(c);
        }
        throw new IllegalArgumentException("no backend for detector type " + config.type());
    }

    private static TileClassifier load(String models, Task task) {
        return "committed".equals(models) ? TileClassifier.committed(task) : TileClassifier.load(Path.of(models), task);
    }

    /** Parses a YAML (or JSON) list of detector configurations; an unknown key or type is an error naming it. */
    public static List<DetectorConfig> parse(String yaml) {
        try {
            return YAML.readValue(yaml, YAML.getTypeFactory().constructCollectionType(List.class, DetectorConfig.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("detector configuration: " + e.getOriginalMessage(), e);
        }
    }
}
