package io.gridwatch.models;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How to build one detector; the {@code type} field picks the backend (frigate's detector
 * configuration has the same shape). Keys are snake_case; unknown keys and unknown types are
 * errors that name them. Absent numbers take the defaults named in each record.
 *
 * <pre>
 * - type: cnn-tiles          # DL4J tile CNNs: stall, garbage, water, snow
 *   models: committed        # or a folder with objects.zip/.json and snow.zip/.json
 *   threshold: 0.5
 * - type: appear-and-stay    # OpenCV MOG2: something appeared and stayed
 *   stay_seconds: 60
 * - type: hog-people         # OpenCV HOG people detector: a person standing still (a vendor)
 *   stay_seconds: 60
 * </pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = DetectorConfig.CnnTiles.class, name = "cnn-tiles"),
        @JsonSubTypes.Type(value = DetectorConfig.AppearAndStay.class, name = "appear-and-stay"),
        @JsonSubTypes.Type(value = DetectorConfig.HogPeople.class, name = "hog-people")})
public sealed interface DetectorConfig {

    String type();

    /**
     * @param models    {@code committed} (the models shipped in this module) or a folder
     * @param threshold a tile counts for a class when its probability is at least this (default 0.5)
     */
    record CnnTiles(String models, Double threshold) implements DetectorConfig {
        public CnnTiles {
            models = models == null ? "committed" : models;
            threshold = threshold == null ? 0.5 : threshold;
            requireUnit(threshold, "threshold");
        }

        @Override
        public String type() {
            return "cnn-tiles";
        }
    }

    /**
     * @param staySeconds     how long a region must stay foreground (default 60 s)
     * @param minAreaFraction smallest region, as a share of the frame (default 0.004)
     * @param historyFrames   MOG2 history: a new object fades into the background only after about this many frames (default 1500)
     * @param maxGapSeconds   a region may drop out of the foreground this long and still count as staying (default 12 s)
     */
    record AppearAndStay(Double staySeconds, Double minAreaFraction, Integer historyFrames, Double maxGapSeconds) implements DetectorConfig {
        public AppearAndStay {
            staySeconds = staySeconds == null ? 60.0 : staySeconds;
            minAreaFraction = minAreaFraction == null ? 0.004 : minAreaFraction;
            historyFrames = historyFrames == null ? 1500 : historyFrames;
            maxGapSeconds = maxGapSeconds == null ? 12.0 : maxGapSeconds;
            requireUnit(minAreaFraction, "min_area_fraction");
            if (staySeconds < 0 || historyFrames < 10 || maxGapSeconds < 0) {
                throw new IllegalArgumentException("stay_seconds and max_gap_seconds must be ≥ 0, history_frames ≥ 10");
            }
        }

        @Override
        public String type() {
            return "appear-and-stay";
        }
    }

    /**
     * @param staySeconds  how long a person must stand in one place (default 60 s)
     * @param hitThreshold SVM margin a window needs to count as a person (default 1.0: weaker hits were static background structures in generated clips)
     * @param upscale      the working frame is enlarged this much first: people must be ~100 px tall for the 64×128 window (default 3)
     */
    record HogPeople(Double staySeconds, Double hitThreshold, Double upscale) implements DetectorConfig {
        public HogPeople {
            staySeconds = staySeconds == null ? 60.0 : staySeconds;
            hitThreshold = hitThreshold == null ? 1.0 : hitThreshold;
            upscale = upscale == null ? 3.0 : upscale;
            if (upscale < 1 || upscale > 4) {
                throw new IllegalArgumentException("upscale must be 1..4");
            }
        }

        @Override
        public String type() {
            return "hog-people";
        }
    }

    private static void requireUnit(double v, String key) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(key + " must be in 0..1, got " + v);
        }
    }
}
