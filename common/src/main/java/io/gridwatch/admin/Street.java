package io.gridwatch.admin;

import java.util.Objects;

/**
 * 街道 — a street (sub-district) of a district.
 *
 * @param code         9-digit code (district code + 3 digits)
 * @param name         Chinese name
 * @param districtCode the 6-digit code of its district
 */
public record Street(String code, String name, String districtCode) implements java.io.Serializable {
    public Street {
        Objects.requireNonNull(name, "name");
        if (code == null || !code.matches("\\d{9}")) {
            throw new IllegalArgumentException("street code must have 9 digits: " + code);
        }
        if (!code.startsWith(districtCode)) {
            throw new IllegalArgumentException("street " + code + " is not coded under district " + districtCode);
        }
    }

    /** The 3 digits that a unit-grid code takes from the street. */
    public String localCode() {
        return code.substring(6);
    }
}
