package io.gridwatch.admin;

import org.locationtech.jts.geom.Geometry;

import java.util.Objects;

/**
 * 区 — a county-level district with its real boundary.
 *
 * @param code      6-digit GB/T 2260 code
 * @param name      Chinese name
 * @param wgs84     boundary in WGS-84 lon/lat (converted from the GCJ-02 source)
 */
public record District(String code, String name, Geometry wgs84) implements java.io.Serializable {
    public District {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wgs84, "wgs84");
        if (code == null || !code.matches("\\d{6}")) {
            throw new IllegalArgumentException("district code must have 6 digits: " + code);
        }
    }
}
