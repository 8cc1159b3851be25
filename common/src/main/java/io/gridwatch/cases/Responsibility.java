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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * 责任单位与处置时限 — which department disposes of a case and by when, as data
 * ({@value #RESOURCE}): category × district → department and a time limit in working hours.
 * The deadline counts working time ({@link WorkingCalendar}), calendar time for urgent cases
 * ({@link Severity#urgent}), as the vendor systems of workflow.md §4 do.
 */
public final class Responsibility implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String RESOURCE = "/io/gridwatch/cases/responsibility.csv";
    static final List<String> HEADER = List.of("kind", "code", "district", "department", "working_hours");
    static final String ANY = "*";

    /** One row of the table. */
    public record Rule(String kind, String code, String district, String department, double workingHours) implements Serializable {
        private static final long serialVersionUID = 1L;

        boolean matches(String k, String c, String d) {
            boolean codeMatches = code.equals(ANY) || code.equals(c)
                    || (code.endsWith(ANY) && c != null && c.startsWith(code.substring(0, code.length() - 1)));
            return (kind.equals(ANY) || kind.equals(k)) && codeMatches && (district.equals(ANY) || district.equals(d));
        }

        /** Higher is more specific: exact code, then longer prefix, then a named district, then a named kind. */
        int specificity() {
            int c = code.equals(ANY) ? 0 : code.endsWith(ANY) ? code.length() : 100;
            return c * 4 + (district.equals(ANY) ? 0 : 2) + (kind.equals(ANY) ? 0 : 1);
        }
    }

    /** The department and deadline of one case. */
    public record Assignment(String department, long deadline) {
    }

    private final List<Rule> rules;
    private final WorkingCalendar calendar;

    public Responsibility(List<Rule> rules, WorkingCalendar calendar) {
        this.rules = new ArrayList<>(rules);
        this.calendar = Objects.requireNonNull(calendar, "calendar");
        if (this.rules.stream().noneMatch(r -> r.kind().equals(ANY) && r.code().equals(ANY) && r.district().equals(ANY))) {
            throw new IllegalArgumentException("the responsibility table needs a default row *,*,* for classes it does not name");
        }
    }

    /** The table shipped with gridwatch, on the Dalian working calendar. */
    public static Responsibility load() {
        try (InputStream in = Responsibility.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new Responsibility(parse(RESOURCE, new InputStreamReader(in, StandardCharsets.UTF_8)), WorkingCalendar.DALIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE, e);
        }
    }

    /** Reads the table; errors name the origin, the line and what is wrong. */
    public static List<Rule> parse(String origin, Reader csv) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setCommentMarker('#').setHeader().setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true).get();
        List<Rule> out = new ArrayList<>();
        try {
            var parser = format.parse(csv);
            if (!parser.getHeaderNames().equals(HEADER)) {
                throw new IllegalArgumentException(origin + ": the header must be " + String.join(",", HEADER)
                        + ", found " + String.join(",", parser.getHeaderNames()));
            }
            for (CSVRecord r : parser) {
                String where = origin + " line " + parser.getCurrentLineNumber();
                if (!r.isConsistent()) {
                    throw new IllegalArgumentException(where + ": expected " + HEADER.size() + " fields, found " + r.size());
                }
                String kind = r.get("kind");
                if (!List.of("component", "event", ANY).contains(kind)) {
                    throw new IllegalArgumentException(where + ": kind must be component, event or *, not '" + kind + "'");
                }
                String code = r.get("code");
                if (!code.matches("\\*|\\d{4,5}|\\d{1,4}\\*")) {
                    throw new IllegalArgumentException(where + ": code must be a class code, a prefix followed by *, or *, not '" + code + "'");
                }
                String district = r.get("district");
                if (!district.matches("\\*|\\d{6}")) {
                    throw new IllegalArgumentException(where + ": district must be a 6-digit code or *, not '" + district + "'");
                }
                String department = r.get("department");
                if (department.isBlank()) {
                    throw new IllegalArgumentException(where + ": department must not be empty");
                }
                double hours;
                try {
                    hours = Double.parseDouble(r.get("working_hours"));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": working_hours must be a number, not '" + r.get("working_hours") + "'");
                }
                if (!(hours > 0 && hours <= 24 * 365)) {
                    throw new IllegalArgumentException(where + ": working_hours must be within (0, 8760], not " + hours);
                }
                out.add(new Rule(kind, code, district, department, hours));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(origin, e);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(origin + ": not a valid responsibility CSV: " + e.getMessage(), e);
        }
        return out;
    }

    /** The most specific row for a class in a district (the default row when nothing else matches). */
    public Rule rule(String kind, String code, String districtCode) {
        Rule best = null;
        for (Rule r : rules) {
            if (r.matches(kind, code, districtCode) && (best == null || r.specificity() > best.specificity())) {
                best = r;
            }
        }
        return best; // never null: the constructor requires the default row
    }

    /**
     * The department and deadline of a case opened at {@code start}.
     *
     * @param districtName replaces {@code {district}} in the department; null gives the generic 区
     * @param urgent       count calendar hours instead of working hours
     */
    public Assignment assign(String kind, String code, String districtCode, String districtName, Instant start, boolean urgent) {
        Rule r = rule(kind, code, districtCode);
        String department = r.department().replace("{district}", districtName == null ? "区" : districtName);
        Duration limit = Duration.ofSeconds(Math.round(r.workingHours() * 3600));
        Instant deadline = urgent ? start.plus(limit) : calendar.addWorkingTime(start, limit);
        return new Assignment(department, deadline.toEpochMilli());
    }

    public WorkingCalendar calendar() {
        return calendar;
    }
}
