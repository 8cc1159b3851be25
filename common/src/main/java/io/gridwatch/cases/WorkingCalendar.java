package io.gridwatch.cases;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * 计时方案 — the working time that case deadlines are counted in (workflow.md §4): working days and
 * the working periods of each, in one time zone. Public holidays and 调休 working weekends are not
 * modelled yet.
 *
 * @param days    the working days
 * @param periods the working periods of a day, in order, not overlapping
 */
public record WorkingCalendar(ZoneId zone, Set<DayOfWeek> days, List<Period> periods) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Mon–Fri 08:30–12:00 and 13:30–17:30, Asia/Shanghai. */
    public static final WorkingCalendar DALIAN = parse("Asia/Shanghai", "MON-FRI", "08:30-12:00,13:30-17:30");

    public WorkingCalendar {
        Objects.requireNonNull(zone, "zone");
        days = EnumSet.copyOf(days);
        periods = List.copyOf(periods);
        if (days.isEmpty() || periods.isEmpty()) {
            throw new IllegalArgumentException("a working calendar needs at least one day and one period");
        }
        for (int i = 1; i < periods.size(); i++) {
            if (periods.get(i).start().isBefore(periods.get(i - 1).end())) {
                throw new IllegalArgumentException("working periods must be in order and not overlap: " + periods);
            }
        }
    }

    /** A working period of a day, {@code start < end}. */
    public record Period(LocalTime start, LocalTime end) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Period {
            if (!start.isBefore(end)) {
                throw new IllegalArgumentException("working period must start before it ends: " + start + "-" + end);
            }
        }
    }

    /**
     * @param days    {@code MON-FRI} or a list {@code MON,TUE,SAT}
     * @param periods {@code 08:30-12:00,13:30-17:30}
     */
    public static WorkingCalendar parse(String zone, String days, String periods) {
        Set<DayOfWeek> d = EnumSet.noneOf(DayOfWeek.class);
        for (String part : days.split(",")) {
            String[] range = part.trim().split("-");
            DayOfWeek from = day(range[0]);
            DayOfWeek to = range.length > 1 ? day(range[1]) : from;
            for (DayOfWeek x = from; ; x = x.plus(1)) {
                d.add(x);
                if (x == to) {
                    break;
                }
            }
        }
        List<Period> p = new ArrayList<>();
        for (String part : periods.split(",")) {
            String[] range = part.trim().split("-");
            if (range.length != 2) {
                throw new IllegalArgumentException("working period must be HH:MM-HH:MM, not '" + part + "'");
            }
            p.add(new Period(LocalTime.parse(range[0].trim()), LocalTime.parse(range[1].trim())));
        }
        return new WorkingCalendar(ZoneId.of(zone), d, p);
    }

    private static DayOfWeek day(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().startsWith(t) && t.length() >= 3) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown day '" + s + "'; expected MON … SUN");
    }

    /** {@code start} plus {@code amount} of working time: the clock runs only inside the working periods. */
    public Instant addWorkingTime(Instant start, Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("negative working time: " + amount);
        }
        Duration left = amount;
        ZonedDateTime t = start.atZone(zone);
        LocalDate date = t.toLocalDate();
        // a year of days without a working period means the calendar is unusable, not a long wait
        for (int guard = 0; guard < 366 * 2; guard++, date = date.plusDays(1)) {
            if (!days.contains(date.getDayOfWeek())) {
                continue;
            }
            for (Period p : periods) {
                ZonedDateTime from = date.atTime(p.start()).atZone(zone);
                ZonedDateTime to = date.atTime(p.end()).atZone(zone);
                if (!to.isAfter(t)) {
                    continue;
                }
                if (from.isBefore(t)) {
                    from = t;
                }
                Duration available = Duration.between(from, to);
                if (left.compareTo(available) <= 0) {
                    return from.plus(left).toInstant();
                }
                left = left.minus(available);
            }
        }
        throw new IllegalStateException("no working time within two years after " + start);
    }
}
