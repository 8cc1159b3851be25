package io.gridwatch.admin;

import java.util.Objects;

/**
 * 社区 — a community (or 村 village) of a street.
 *
 * @param code       12-digit code (street code + 3 digits)
 * @param name       Chinese name
 * @param streetCode the 9-digit code of its street
 */
public record Community(String code, String name, String streetCode) implements java.io.Serializable {
    public Community {
        Objects.requireNonNull(name, "name");
        if (code == null || !code.matches("\\d{12}")) {
            throw new IllegalArgumentException("community code must have 12 digits: " + code);
        }
        if (!code.startsWith(streetCode)) {
            throw new IllegalArgumentException("community " + code + " is not coded under street " + streetCode);
        }
    }

    /** The 3 digits that a unit-grid code takes from the community. */
    public String localCode() {
        return code.substring(9);
    }
}
