package io.gridwatch.cases;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Case numbers: {@code GW-<district 6>-<yyyyMMdd>-<6-digit sequence>} (CONTRACTS.md §4), the day in
 * Asia/Shanghai, the sequence counted per district and day by a {@link CaseTracker.CaseNumbering} (in the job,
 * PostgreSQL: an id is unique forever, whatever happens to job state).
 */
public final class CaseIds {

    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    /** Used in the id of a case whose place lies outside every district. */
    public static final String NO_DISTRICT = "000000";

    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    private CaseIds() {
    }

    /** The Asia/Shanghai calendar day of an epoch-ms instant: the day a case opened at that time is numbered under. */
    public static LocalDate day(long epochMs) {
        return Instant.ofEpochMilli(epochMs).atZone(ZONE).toLocalDate();
    }

    public static String format(String districtCode, LocalDate day, int sequence) {
        if (sequence < 1 || sequence > 999_999) {
            throw new IllegalArgumentException("case sequence must be within 1..999999, got " + sequence);
        }
        String d = districtCode == null ? NO_DISTRICT : districtCode;
        if (!d.matches("\\d{6}")) {
            throw new IllegalArgumentException("district code must have 6 digits: " + districtCode);
        }
        return "GW-" + d + "-" + DAY.format(day) + "-" + String.format("%06d", sequence);
    }
}
