package io.gridwatch.cases;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * 计时方案 — the working time that case deadlines are counted in (workflow.md §4): working days and
 * the working periods of each, in one time zone, with the dates that differ from the usual week:
 * public holidays (放假) and the weekend days worked in exchange (调休上班).
 *
 * @param days       the usual working days
 * @param periods    the working periods of a day, in order, not overlapping
 * @param exceptions dates that are working days ({@code true}) or days off ({@code false}) whatever their weekday
 */
public record WorkingCalendar(ZoneId zone, Set<DayOfWeek> days, List<Period> periods, SortedMap<LocalDate, Boolean> exceptions)
        implements Serializable {

    private static final long serialVersionUID = 2L;
    /** China's public holidays and 调休 days, year by year (see the file's header). */
    public static final String CHINA_HOLIDAYS = "/io/gridwatch/cases/holidays-cn.csv";

    /** Mon–Fri 08:30–12:00 and 13:30–17:30, Asia/Shanghai, with China's public holidays and 调休 ({@link #CHINA_HOLIDAYS}). */
    public static final WorkingCalendar DALIAN = parse("Asia/Shanghai", "MON-FRI", "08:30-12:00,13:30-17:30")
            .withExceptions(chinaHolidays());

    public WorkingCalendar {
        Objects.requireNonNull(zone, "zone");
        days = EnumSet.copyOf(days);
        periods = List.copyOf(periods);
        exceptions = Collections.unmodifiableSortedMap(new TreeMap<>(exceptions));
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
        return new WorkingCalendar(ZoneId.of(zone), d, p, new TreeMap<>());
    }

    /** This calendar with {@code dates} (working day or not) instead of its exceptions. */
    public WorkingCalendar withExceptions(Map<LocalDate, Boolean> dates) {
        return new WorkingCalendar(zone, days, periods, new TreeMap<>(dates));
    }

    /** Whether {@code date} has working time. */
    public boolean isWorkingDay(LocalDate date) {
        Boolean exception = exceptions.get(date);
        return exception != null ? exception : days.contains(date.getDayOfWeek());
    }

    /** Whether the exceptions know {@code year}'s holidays (a year without any is counted by weekday alone). */
    public boolean coversYear(int year) {
        return !exceptions.subMap(LocalDate.of(year, 1, 1), LocalDate.of(year + 1, 1, 1)).isEmpty();
    }

    /** The dates of {@link #CHINA_HOLIDAYS}: {@code off} → false, {@code work} → true. */
    public static SortedMap<LocalDate, Boolean> chinaHolidays() {
        try (InputStream in = WorkingCalendar.class.getResourceAsStream(CHINA_HOLIDAYS)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + CHINA_HOLIDAYS);
            }
            return parseExceptions(CHINA_HOLIDAYS, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(CHINA_HOLIDAYS, e);
        }
    }

    /** Reads {@code date,kind,name} lines ({@code kind}: off or work; {@code #} starts a comment). */
    public static SortedMap<LocalDate, Boolean> parseExceptions(String origin, Reader csv) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setCommentMarker('#').get();
        SortedMap<LocalDate, Boolean> out = new TreeMap<>();
        for (CSVRecord r : format.parse(csv)) {
            String where = origin + " line " + r.getParser().getCurrentLineNumber();
            LocalDate date;
            try {
                date = LocalDate.parse(r.get("date").trim());
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(where + ": date '" + r.get("date") + "' is not YYYY-MM-DD");
            }
            boolean working = switch (r.get("kind").trim()) {
                case "off" -> false;
                case "work" -> true;
                default -> throw new IllegalArgumentException(where + ": kind must be off or work, not '" + r.get("kind") + "'");
            };
            if (out.put(date, working) != null) {
                throw new IllegalArgumentException(where + ": " + date + " is listed twice");
            }
        }
        return out;
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
            if (!isWorkingDay(date)) {
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
