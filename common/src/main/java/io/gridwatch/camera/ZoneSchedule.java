package io.gridwatch.camera;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a zone is watched: {@code "HH:MM-HH:MM"} in {@link #ZONE}, start inclusive, end exclusive. An end before the
 * start crosses midnight ({@code "22:00-06:00"}), so a night market zone needs one entry, not two.
 */
public record ZoneSchedule(LocalTime from, LocalTime to) {

    /** Schedules are city time, whatever the server's clock zone. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private static final Pattern FORMAT = Pattern.compile("(\\d{2}:\\d{2})-(\\d{2}:\\d{2})");
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    public ZoneSchedule {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException("starts and ends at " + from.format(HH_MM)
                    + "; leave schedule out for a zone watched all day");
        }
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    public static ZoneSchedule parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not HH:MM-HH:MM (Asia/Shanghai), e.g. \"07:00-22:00\"");
        }
        try {
            return new ZoneSchedule(LocalTime.parse(m.group(1), HH_MM), LocalTime.parse(m.group(2), HH_MM));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' has a time that does not exist (hours 00..23, minutes 00..59)", e);
        }
    }

    /** Whether the zone is watched at {@code at}. */
    public boolean isActive(Instant at) {
        LocalTime t = at.atZone(ZONE).toLocalTime();
        return from.isBefore(to)
                ? !t.isBefore(from) && t.isBefore(to)
                : !t.isBefore(from) || t.isBefore(to);
    }

    /** The YAML form, {@code "HH:MM-HH:MM"}. */
    @Override
    public String toString() {
        return from.format(HH_MM) + "-" + to.format(HH_MM);
    }
}
