package io.gridwatch.grid;

/**
 * 单元网格代码 — the 15-digit unit-grid code: district (6, GB/T 2260) + street (3) + community (3)
 * + sequence (3), numbered west→east, north→south inside each community (grid_code.md §2).
 */
public final class GridCode {

    public static final int LENGTH = 15;
    public static final int MAX_SEQUENCE = 999;

    private GridCode() {
    }

    /** Builds a code from a 12-digit community code and a sequence number 1..999. */
    public static String of(String communityCode, int sequence) {
        if (communityCode == null || !communityCode.matches("\\d{12}")) {
            throw new IllegalArgumentException("community code must have 12 digits: " + communityCode);
        }
        if (sequence < 1 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("grid sequence must be within 1.." + MAX_SEQUENCE + ", got " + sequence
                    + " in community " + communityCode);
        }
        return communityCode + String.format("%03d", sequence);
    }

    /** Whether {@code code} is 15 digits. */
    public static boolean isValid(String code) {
        return code != null && code.length() == LENGTH && code.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Throws with a message saying what is wrong, else returns the code. */
    public static String require(String code) {
        if (!isValid(code)) {
            throw new IllegalArgumentException("a unit-grid code has 15 digits (district 6 + street 3 + community 3 + sequence 3), got '"
                    + code + "'");
        }
        return code;
    }

    public static String districtCode(String code) {
        return require(code).substring(0, 6);
    }

    public static String streetCode(String code) {
        return require(code).substring(0, 9);
    }

    public static String communityCode(String code) {
        return require(code).substring(0, 12);
    }

    public static int sequence(String code) {
        return Integer.parseInt(require(code).substring(12));
    }
}
