package io.gridwatch.video;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the video job saw of one object in one zone in one frame, before any dwell rule judged it — a record of
 * {@code gw.observations.v1} (keyed by camera id), so that {@code gridwatch rules backtest} can replay a camera's
 * recent past through a candidate dwell rule ({@link DwellReplay}).
 *
 * <pre>{@code
 * {"schema":1,"camera":"cam-zs-0001","zone":"plaza-east","purpose":"no_vending","object":"stall",
 *  "ts":1785196800000,"score":0.97,"box":[0.3,0.5,0.5,0.8],"lon":121.6431,"lat":38.9152,
 *  "grid_code":"210202001001001","district_code":"210202"}
 * }</pre>
 *
 * @param score the best score of the object among the zone's tiles that changed against the scene's baseline (0 when
 *              none did): the object counts as seen under a rule when this reaches its {@code min_score}
 * @param box   the changed tiles scoring at least the live rule's {@code min_score} (else the best one), or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Observation(int schema, String camera, String zone, String purpose, WatchedObject object, long ts,
                          double score, double[] box, Double lon, Double lat, String gridCode, String districtCode) {

    public static final int SCHEMA = 1;
}
