package io.gridwatch.cli;

import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseIds;
import io.gridwatch.cases.CaseStatus;
import io.gridwatch.cases.Severity;
import io.gridwatch.json.Json;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code gridwatch cases [--json] [--since T] [--status S]}: the stored cases (CONTRACTS.md §4). */
@Command(name = "cases", description = "List the stored cases (案件), oldest first.",
        footer = {"", "--json prints one case a line in the case shape of CONTRACTS.md §4; test harnesses read it."})
final class CasesCommand implements Callable<Integer> {

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(CaseIds.ZONE);

    @ParentCommand
    Gridwatch top;

    @Option(names = "--json", description = "one JSON object a line")
    boolean json;

    @Option(names = "--since", paramLabel = "TIME",
            description = "only cases seen at or after TIME: 2026-11-27T08:00:00Z, an offset (…+08:00), "
                    + "a local time or a date (Asia/Shanghai)")
    String since;

    @Option(names = "--status", paramLabel = "STATUS", description = "only cases in this status: ${COMPLETION-CANDIDATES}",
            completionCandidates = Statuses.class)
    String status;

    static final class Statuses extends java.util.ArrayList<String> {
        Statuses() {
            super(CaseStatus.ALL);
        }
    }

    @Override
    public Integer call() throws Exception {
        Instant from = since == null ? null : parseTime("--since", since);
        if (status != null) {
            CaseStatus.require(status);
        }
        List<CaseFile> found;
        try (Database db = top.workspace().database()) {
            found = new CaseStore(db.dataSource()).list(from, status);
        }
        if (json) {
            for (CaseFile f : found) {
                System.out.println(Json.mapper().writeValueAsString(f));
            }
            return 0;
        }
        ConsoleTable t = new ConsoleTable("case", "status", "category", "place", "severity", "first seen", "last seen", "detections",
                "department", "deadline").right(7);
        for (CaseFile f : found) {
            CaseFile.Grid g = f.grid();
            String place = g == null || g.district() == null ? "-"
                    : String.join(" ", java.util.stream.Stream.of(g.district(), g.street(), g.community())
                    .filter(java.util.Objects::nonNull).toList());
            t.row(f.caseId(), f.status(), f.category().code() + " " + f.category().name(), place,
                    f.severity() == null ? "-" : Severity.chinese(f.severity()),
                    LOCAL.format(Instant.ofEpochMilli(f.firstSeen())), LOCAL.format(Instant.ofEpochMilli(f.lastSeen())),
                    f.occurrences(), f.department(), f.deadline() == null ? "-" : LOCAL.format(Instant.ofEpochMilli(f.deadline())));
        }
        t.print(System.out);
        System.out.println(found.size() + " case" + (found.size() == 1 ? "" : "s") + " (times Asia/Shanghai)");
        return 0;
    }

    /** The earliest time a time option accepts: cases and readings carry epoch milliseconds. */
    static final LocalDate EARLIEST = LocalDate.of(1970, 1, 1);
    /** The last day a time option accepts, within what PostgreSQL and every ISO-8601 form can hold. */
    static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

    /**
     * A time option's value: an ISO instant, an ISO time with offset, or a local date-time or date in Asia/Shanghai, from
     * {@link #EARLIEST} to {@link #LATEST}.
     *
     * @param option the option's name, for the message
     * @throws IllegalArgumentException saying which forms and which range are accepted
     */
    static Instant parseTime(String option, String s) {
        Instant t;
        try {
            t = parseTime(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " must be an ISO-8601 time such as 2026-11-27T08:00:00Z, "
                    + "2026-11-27T16:00+08:00, 2026-11-27T16:00 or 2026-11-27 (Asia/Shanghai), not '" + s + "'");
        }
        Instant from = EARLIEST.atStartOfDay(CaseIds.ZONE).toInstant();
        Instant to = LATEST.plusDays(1).atStartOfDay(CaseIds.ZONE).toInstant();
        if (t.isBefore(from) || !t.isBefore(to)) {
            throw new IllegalArgumentException(option + " must lie between " + EARLIEST + " and " + LATEST + " (Asia/Shanghai), not '"
                    + s + "'");
        }
        return t;
    }

    /** An ISO instant, an ISO time with offset, or a local date-time or date in Asia/Shanghai; any year. */
    private static Instant parseTime(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return LocalDateTime.parse(s).atZone(CaseIds.ZONE).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return LocalDate.parse(s).atStartOfDay(CaseIds.ZONE).toInstant();
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("not an ISO-8601 time: '" + s + "'");
        }
    }
}
