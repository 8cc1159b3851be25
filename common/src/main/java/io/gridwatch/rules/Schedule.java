package io.gridwatch.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a rule runs, in Asia/Shanghai local time; outside it the rule is idle. Written as a string:
 * windows separated by {@code ;}, each optional days then an optional time range —
 * {@code "22:00-06:00"}, {@code "Mon-Fri 07:00-19:00"}, {@code "Sat,Sun"}, {@code "Mon-Fri 07:00-12:00; Sat 08:00-12:00"}.
 * A range whose end is not after its start runs overnight; its days are the days it starts on.
 * {@code 24:00} may end a range.
 */
public final class Schedule {

    static final ZoneRules SHANGHAI = ZoneId.of("Asia/Shanghai").getRules();
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    private static final int ALL_DAYS = 0x7f;

    private final String text;
    private final int[] dayMask;
    private final int[] startMin;
    private final int[] endMin;

    private Schedule(String text, int[] dayMask, int[] startMin, int[] endMin) {
        this.text = text;
        this.dayMask = dayMask;
        this.startMin = startMin;
        this.endMin = endMin;
    }

    @JsonCreator
    public static Schedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("schedule must not be empty");
        }
        List<int[]> windows = new ArrayList<>();
        for (String w : text.split(";")) {
            String[] parts = w.trim().split("\\s+");
            int days = ALL_DAYS;
            int start = 0;
            int end = 24 * 60;
            int i = 0;
            if (parts.length > 2 || parts[0].isEmpty()) {
                throw bad(text, "'" + w.trim() + "' is not [days] [HH:MM-HH:MM]");
            }
            if (Character.isLetter(parts[0].charAt(0))) {
                days = parseDays(text, parts[0]);
                i = 1;
            }
            if (i < parts.length) {
                String[] range = parts[i].split("-");
                if (range.length != 2) {
                    throw bad(text, "'" + parts[i] + "' is not HH:MM-HH:MM");
                }
                start = minutes(text, range[0]);
                end = minutes(text, range[1]);
                if (start == end) {
                    throw bad(text, "'" + parts[i] + "' is empty");
                }
                if (start == 24 * 60) {
                    throw bad(text, "a range cannot start at 24:00");
                }
            } else if (i == 0) {
                throw bad(text, "'" + w.trim() + "' names neither days nor a time range");
            }
            windows.add(new int[]{days, start, end});
        }
        int n = windows.size();
        int[] d = new int[n];
        int[] s = new int[n];
        int[] e = new int[n];
        for (int k = 0; k < n; k++) {
            d[k] = windows.get(k)[0];
            s[k] = windows.get(k)[1];
            e[k] = windows.get(k)[2];
        }
        return new Schedule(text.trim(), d, s, e);
    }

    /** Whether the rule runs at this instant (epoch ms). */
    public boolean isActive(long epochMs) {
        long local = Math.floorDiv(epochMs, 1000L) + SHANGHAI.getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds();
        long epochDay = Math.floorDiv(local, 86_400L);
        int minute = (int) (Math.floorMod(local, 86_400L) / 60);
        int day = (int) Math.floorMod(epochDay + 3, 7L); // 1970-01-01 was a Thursday; 0 = Monday
        int yesterday = (day + 6) % 7;
        for (int k = 0; k < dayMask.length; k++) {
            if (startMin[k] < endMin[k]) {
                if ((dayMask[k] & (1 << day)) != 0 && minute >= startMin[k] && minute < endMin[k]) {
                    return true;
                }
            } else if (((dayMask[k] & (1 << day)) != 0 && minute >= startMin[k])
                    || ((dayMask[k] & (1 << yesterday)) != 0 && minute < endMin[k])) {
                return true;
            }
        }
        return false;
    }

    private static int parseDays(String text, String spec) {
        int mask = 0;
        for (String part : spec.split(",")) {
            String[] range = part.split("-");
            if (range.length > 2) {
                throw bad(text, "'" + part + "' is not a day or a day range");
            }
            int from = day(text, range[0]);
            int to = range.length == 2 ? day(text, range[1]) : from;
            for (int d = from; ; d = (d + 1) % 7) {
                mask |= 1 << d;
                if (d == to) {
                    break;
                }
            }
        }
        return mask;
    }

    private static int day(String text, String name) {
        int d = DAYS.indexOf(name.toLowerCase(Locale.ROOT));
        if (d < 0) {
            throw bad(text, "unknown day '" + name + "'; known: Mon Tue Wed Thu Fri Sat Sun");
        }
        return d;
    }

    private static int minutes(String text, String hhmm) {
        if (!hhmm.matches("\\d{1,2}:\\d{2}")) {
            throw bad(text, "'" + hhmm + "' is not HH:MM");
        }
        int h = Integer.parseInt(hhmm.substring(0, hhmm.indexOf(':')));
        int m = Integer.parseInt(hhmm.substring(hhmm.indexOf(':') + 1));
        if (m > 59 || h > 24 || (h == 24 && m != 0)) {
            throw bad(text, "'" + hhmm + "' is not a time of day");
        }
        return h * 60 + m;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("schedule '" + text + "': " + why);
    }

    @JsonValue
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule s && s.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
