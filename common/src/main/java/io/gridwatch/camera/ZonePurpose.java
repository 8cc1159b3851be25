package io.gridwatch.camera;

import java.util.Arrays;
import java.util.List;

/** What a camera zone (监控区域) is watched for; the purpose decides which detections of the zone may become which case. */
public enum ZonePurpose {
    /** 禁止摆摊区域: stalls here are 无照经营游商. */
    NO_VENDING("no_vending"),
    /** 垃圾桶区域: garbage here is 暴露垃圾. */
    BIN_AREA("bin_area"),
    /** 车行道: standing water and snow. */
    ROADWAY("roadway"),
    /** 人行道: garbage and snow. */
    SIDEWALK("sidewalk");

    private final String id;

    ZonePurpose(String id) {
        this.id = id;
    }

    /** The name used in the camera YAML (CONTRACTS.md §2). */
    public String id() {
        return id;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(ZonePurpose::id).toList();
    }

    /** @throws IllegalArgumentException naming the allowed values */
    public static ZonePurpose of(String id) {
        for (ZonePurpose p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("'" + id + "' is not a zone purpose; one of " + ids());
    }
}
