package io.gridwatch.backtest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.gridwatch.cases.CaseIds;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The live rules against a candidate over the same readings: both results and, for every problem either
 * raised a case for, how the cases differ. Problems are matched by problem key (one sensor's rule family),
 * and a problem's cases by their order (the first episode against the first …).
 *
 * @param live      what the rules in force would have raised
 * @param candidate what the candidate rules would have raised
 * @param problems  every problem with a case in either, ordered by when it was first raised
 */
@JsonPropertyOrder({"live", "candidate", "problems"})
public record Comparison(BacktestResult live, BacktestResult candidate, List<ProblemDiff> problems) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(CaseIds.ZONE);

    public Comparison {
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(candidate, "candidate");
        problems = List.copyOf(problems);
    }

    /** How a problem fared under the candidate. */
    public enum Change {
        /** raised by the live rules only: the candidate would miss it (or rightly ignore it) */
        ONLY_LIVE,
        /** raised by the candidate only */
        ONLY_CANDIDATE,
        /** raised by both, with differences ({@link ProblemDiff#changes}) */
        CHANGED,
        /** raised by both alike */
        SAME;

        @JsonValue
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One problem under both rule sets.
     *
     * @param changes the fields that differ, empty unless {@link Change#CHANGED}
     */
    @JsonPropertyOrder({"problem_key", "change", "live", "candidate", "changes"})
    public record ProblemDiff(String problemKey, Change change, List<ReplayedCase> live, List<ReplayedCase> candidate,
                              List<FieldChange> changes) {
        public ProblemDiff {
            live = List.copyOf(live);
            candidate = List.copyOf(candidate);
            changes = List.copyOf(changes);
        }
    }

    /**
     * A field that differs: {@code cases} (how many episodes), or {@code cases[i].<field>} of the i-th episode.
     * Times are ISO-8601 in Asia/Shanghai; an absent value (e.g. not ended) is null.
     */
    public record FieldChange(String field, String live, String candidate) {
    }

    /** The problems that fared so. */
    public List<ProblemDiff> with(Change change) {
        return problems.stream().filter(p -> p.change() == change).toList();
    }

    static Comparison of(BacktestResult live, BacktestResult candidate) {
        Map<String, List<ReplayedCase>> byLive = byProblem(live);
        Map<String, List<ReplayedCase>> byCandidate = byProblem(candidate);
        List<String> keys = new ArrayList<>(byLive.keySet());
        byCandidate.keySet().stream().filter(k -> !byLive.containsKey(k)).forEach(keys::add);
        List<ProblemDiff> diffs = new ArrayList<>();
        for (String key : keys) {
            List<ReplayedCase> l = byLive.getOrDefault(key, List.of());
            List<ReplayedCase> c = byCandidate.getOrDefault(key, List.of());
            if (c.isEmpty()) {
                diffs.add(new ProblemDiff(key, Change.ONLY_LIVE, l, c, List.of()));
            } else if (l.isEmpty()) {
                diffs.add(new ProblemDiff(key, Change.ONLY_CANDIDATE, l, c, List.of()));
            } else {
                List<FieldChange> changes = changes(l, c);
                diffs.add(new ProblemDiff(key, changes.isEmpty() ? Change.SAME : Change.CHANGED, l, c, changes));
            }
        }
        diffs.sort(Comparator.comparingLong(Comparison::firstRaised).thenComparing(ProblemDiff::problemKey));
        return new Comparison(live, candidate, diffs);
    }

    private static Map<String, List<ReplayedCase>> byProblem(BacktestResult r) {
        Map<String, List<ReplayedCase>> map = new LinkedHashMap<>();
        for (ReplayedCase c : r.cases()) {
            map.computeIfAbsent(c.problemKey(), k -> new ArrayList<>()).add(c);
        }
        return map;
    }

    private static long firstRaised(ProblemDiff d) {
        long t = Long.MAX_VALUE;
        for (ReplayedCase c : d.live()) {
            t = Math.min(t, c.raisedAt());
        }
        for (ReplayedCase c : d.candidate()) {
            t = Math.min(t, c.raisedAt());
        }
        return t;
    }

    /**
     * What a reader of the cases would notice: how many, and per episode its class, place, severity, and
     * when it began, was raised and ended. Counts and last-seen times are left out: any change of a
     * threshold moves them.
     */
    private static List<FieldChange> changes(List<ReplayedCase> live, List<ReplayedCase> candidate) {
        List<FieldChange> out = new ArrayList<>();
        if (live.size() != candidate.size()) {
            out.add(new FieldChange("cases", Integer.toString(live.size()), Integer.toString(candidate.size())));
        }
        for (int i = 0; i < Math.min(live.size(), candidate.size()); i++) {
            ReplayedCase l = live.get(i);
            ReplayedCase c = candidate.get(i);
            String at = "cases[" + i + "].";
            field(out, at + "category", l, c, x -> x.category() == null ? null : x.category().code() + " " + x.category().name());
            field(out, at + "grid", l, c, x -> x.grid() == null ? null : x.grid().code());
            field(out, at + "rule_id", l, c, ReplayedCase::ruleId);
            field(out, at + "severity", l, c, ReplayedCase::severity);
            field(out, at + "first_seen", l, c, x -> time(x.firstSeen()));
            field(out, at + "raised_at", l, c, x -> time(x.raisedAt()));
            field(out, at + "ended_at", l, c, x -> x.endedAt() == null ? null : time(x.endedAt()));
        }
        return out;
    }

    private static void field(List<FieldChange> out, String name, ReplayedCase live, ReplayedCase candidate,
                              Function<ReplayedCase, String> value) {
        String l = value.apply(live);
        String c = value.apply(candidate);
        if (!Objects.equals(l, c)) {
            out.add(new FieldChange(name, l, c));
        }
    }

    private static String time(long epochMs) {
        return TIME.format(Instant.ofEpochMilli(epochMs));
    }
}
