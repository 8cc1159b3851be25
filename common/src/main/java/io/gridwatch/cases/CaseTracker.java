package io.gridwatch.cases;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.catalogue.CatalogueClass;
import io.gridwatch.cases.CaseState.Phase;
import io.gridwatch.detection.Detection;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns the detections of one problem ({@link Detection#problemKey()}) into one case and its alerts:
 * a pure function from the state before a detection to the state after it, the case messages
 * ({@code new} / {@code update} / {@code end}) and the alerts ({@code raised} / {@code escalated} /
 * {@code cleared}) to send. The cases operator keeps a {@link CaseState} per problem key and only
 * moves state in and out; nothing here knows about Flink.
 *
 * <ul>
 *   <li>{@code raised} opens a case: {@code filed} when its confidence reaches
 *       {@link Settings#filingThreshold()}, else {@code collected}; message {@code new}, alert {@code raised}
 *       when the detection names a team.</li>
 *   <li>later {@code raised} / {@code update} detections count as occurrences and add evidence; severity only
 *       rises. A message {@code update} goes out when the severity rose, the status changed or a new source
 *       saw the problem — not for every repeat, so that a rule that re-reports each minute does not flood
 *       {@code gw.cases.v1}; the counts it gathered go out with the next message. A new source raises the confidence
 *       (noisy-OR: {@code 1 − (1 − case)(1 − detection)}), so a problem seen by a camera and measured by a gauge may be
 *       filed where either alone would only be collected. A rise re-alerts
 *       ({@code escalated}, once per level).</li>
 *   <li>{@code cleared} ends the case as {@code verified} (核实结案, auto-verification): message {@code end},
 *       alert {@code cleared}.</li>
 *   <li>{@code watch} (a district flood watch): alerts only, {@code raised} once, {@code escalated} on a rise,
 *       {@code cleared} on the matching {@code cleared} detection; no case.</li>
 *   <li>{@code revised} (修正: late readings re-judged in event-time order changed the problem's latest episode): the
 *       case takes the corrected first_seen and severity (a correction may lower it) and, when the detection says the
 *       episode ended, ends as {@code verified} with that last_seen — message {@code update} or {@code end}; an
 *       escalation alerts as usual. A case that was auto-verified but did not clear after all is reopened: message
 *       {@code update} with its status before the end, alert {@code escalated} saying so (its own alert id).
 *       With no case, a revision opens one like {@code raised}.</li>
 *   <li>{@code retracted} (re-judged in order, the condition never held): the case ends as {@code rejected} (a false
 *       report) — message {@code end}, alert {@code cleared} saying it was withdrawn; an ended case is marked
 *       {@code rejected} without a new alert.</li>
 *   <li>{@code offline} / {@code online}: nothing (maintenance signals, not city-management cases).</li>
 *   <li>a detection id seen among the last {@link Settings#recentIds()} of its problem: nothing.</li>
 * </ul>
 *
 * After an end the state is kept as {@link CaseState.Phase#ENDED} until {@link CaseState#expiresAt()},
 * so that replays of the ended episode are still recognised; a new {@code raised} then opens a new case.
 */
public final class CaseTracker {

    /**
     * @param filingThreshold confidence from which an auto-raised case is filed (立案) rather than collected
     * @param evidenceLimit   most evidence references a case carries: the first one and the latest ones
     * @param recentIds       how many detection ids per problem are remembered to drop replays
     */
    public record Settings(double filingThreshold, int evidenceLimit, int recentIds) implements Serializable {
        public static final Settings DEFAULTS = new Settings(0.8, 20, 32);

        public Settings {
            if (!(filingThreshold >= 0 && filingThreshold <= 1)) {
                throw new IllegalArgumentException("filing threshold must be within 0..1, got " + filingThreshold);
            }
            if (evidenceLimit < 1 || recentIds < 1) {
                throw new IllegalArgumentException("evidence limit and recent ids must be at least 1");
            }
        }
    }

    /**
     * Hands out case sequence numbers, 1, 2, … per district and (Asia/Shanghai) day. A number must be unique
     * forever, whatever happens to a job's state, and the same again for the same opening detection (a replay
     * after a restore), so the job's numbering lives outside the job (PostgreSQL); tests may count in memory.
     */
    @FunctionalInterface
    public interface CaseNumbering {
        /**
         * @param districtCode 6 digits, {@link CaseIds#NO_DISTRICT} for a place outside every district
         * @param opening      the detection that opens the case: its {@link Detection#detectionId()} is deterministic
         */
        int next(String districtCode, LocalDate day, Detection opening);
    }

    /**
     * What one detection caused.
     *
     * @param state    the state to keep: null when there is nothing to remember (no case, no watch; also
     *                 for a maintenance signal with no prior state), else the new state (phase ENDED after an end)
     * @param messages case messages to send, in order
     * @param alerts   alerts to send, in order
     */
    public record Outcome(CaseState state, ArrayList<CaseMessage> messages, ArrayList<Alert> alerts) {
        public boolean isEmpty() {
            return messages.isEmpty() && alerts.isEmpty();
        }
    }

    private final Catalogue catalogue;
    private final GridNames gridNames;
    private final Responsibility responsibility;
    private final Settings settings;

    public CaseTracker(Catalogue catalogue, GridNames gridNames, Responsibility responsibility, Settings settings) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.gridNames = Objects.requireNonNull(gridNames, "gridNames");
        this.responsibility = Objects.requireNonNull(responsibility, "responsibility");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Outcome onDetection(CaseState current, Detection d, CaseNumbering numbering) {
        Objects.requireNonNull(d, "detection");
        if (current != null && d.revises() != null && current.caseFile() != null && current.caseFile().firstSeen() != d.revises()) {
            for (int i = current.earlier().size() - 1; i >= 0; i--) {
                if (current.earlier().get(i).firstSeen() == d.revises()) {
                    return correctEarlier(current, i, d);
                }
            }
        }
        Outcome o = decide(current, d, numbering);
        return o.state() == null ? o : new Outcome(o.state().withEarlier(earlierCases(current, o.state(), d)), o.messages(), o.alerts());
    }

    /** The earlier cases to keep: the ended case a new one replaces joins them; those ended too long ago leave. */
    private static ArrayList<CaseFile> earlierCases(CaseState before, CaseState after, Detection d) {
        ArrayList<CaseFile> earlier = before == null ? new ArrayList<>() : new ArrayList<>(before.earlier());
        if (before != null && before.phase() == Phase.ENDED && before.caseFile() != null && after.caseFile() != null
                && !after.caseFile().caseId().equals(before.caseFile().caseId())) {
            earlier.add(before.caseFile());
        }
        earlier.removeIf(f -> f.lastSeen() < d.ts() - CaseState.RETENTION_MS);
        while (earlier.size() > CaseState.EARLIER_CASES) {
            earlier.remove(0);
        }
        return earlier;
    }

    /**
     * A correction of an earlier, ended case of the problem (late readings changed it after a newer case opened): the
     * case told right, message {@code end}; the team was told when it ended.
     */
    private Outcome correctEarlier(CaseState current, int index, Detection d) {
        CaseFile f = current.earlier().get(index);
        boolean retract = d.state() == Detection.State.RETRACTED;
        CaseFile corrected = new CaseFile(f.schema(), f.caseId(), retract ? CaseStatus.REJECTED : CaseStatus.VERIFIED, f.category(),
                f.grid(), f.location(), !retract && d.severity() != null ? checkedSeverity(d) : f.severity(), f.sources(),
                retract ? f.firstSeen() : d.startedAt(),
                retract ? f.lastSeen() : d.endedAt() != null ? Math.max(d.startedAt(), d.endedAt()) : Math.max(f.lastSeen(), d.ts()),
                f.occurrences() + 1, f.confidence(), f.evidence(), f.department(), f.deadline(), f.ruleId());
        ArrayList<CaseFile> earlier = new ArrayList<>(current.earlier());
        earlier.set(index, corrected);
        ArrayList<CaseMessage> messages = new ArrayList<>();
        messages.add(new CaseMessage(CaseMessage.END, corrected));
        CaseState next = new CaseState(current.phase(), current.caseFile(), current.team(), current.alertSubject(),
                current.alertedSeverity(), current.lastAlert(), remember(new ArrayList<>(current.recentDetectionIds()), d.detectionId()),
                current.endedAt(), earlier);
        return new Outcome(next, messages, new ArrayList<>());
    }

    private Outcome decide(CaseState current, Detection d, CaseNumbering numbering) {
        if (d.state() == Detection.State.OFFLINE || d.state() == Detection.State.ONLINE) {
            return nothing(current);
        }
        if (current != null && current.recentDetectionIds().contains(d.detectionId())) {
            return nothing(current);
        }
        Phase phase = current == null ? null : current.phase();
        if (d.state() == Detection.State.REVISED) {
            return revise(current, d, numbering);
        }
        if (d.state() == Detection.State.RETRACTED) {
            return retract(current, d);
        }
        if (phase == Phase.ENDED && d.ts() <= current.endedAt()
                && (d.state() == Detection.State.WATCH || d.state() == Detection.State.RAISED || d.state() == Detection.State.UPDATE)) {
            // a late detection from before the end (another gauge of the district lagging, a buffered device):
            // it belongs to the episode that ended, not to a new one
            return new Outcome(withId(current, d), new ArrayList<>(), new ArrayList<>());
        }
        return switch (d.state()) {
            case RAISED, UPDATE -> {
                if (phase == Phase.OPEN) {
                    yield update(current, d);
                }
                if (phase == Phase.WATCH) {
                    yield watch(current, d);
                }
                yield open(current, d, numbering);
            }
            case WATCH -> phase == Phase.OPEN ? update(current, d) : watch(current, d);
            case CLEARED -> {
                if (phase == Phase.OPEN) {
                    yield end(current, d);
                }
                if (phase == Phase.WATCH) {
                    yield endWatch(current, d);
                }
                // nothing open: remember the id only if there is a state to remember it in
                yield new Outcome(current == null ? null : withId(current, d), new ArrayList<>(), new ArrayList<>());
            }
            default -> throw new IllegalArgumentException("detection " + d.detectionId() + " has unknown state '" + d.state() + "'");
        };
    }

    private static Outcome nothing(CaseState current) {
        return new Outcome(current, new ArrayList<>(), new ArrayList<>());
    }

    private Outcome open(CaseState previous, Detection d, CaseNumbering numbering) {
        String district = districtOf(d);
        int seq = numbering.next(district == null ? CaseIds.NO_DISTRICT : district, CaseIds.day(d.ts()), d);
        String caseId = CaseIds.format(district, CaseIds.day(d.ts()), seq);
        CaseFile.Category category = category(d);
        CaseFile.Grid grid = gridNames.names(d.gridCode(), district);
        String severity = checkedSeverity(d);
        Responsibility.Assignment a = responsibility.assign(category.kind(), category.code(), district, grid.district(),
                Instant.ofEpochMilli(d.ts()), Severity.urgent(severity));
        ArrayList<CaseFile.Source> sources = new ArrayList<>();
        sources.add(new CaseFile.Source(d.source().type().id(), d.source().id(), d.source().zone()));
        long firstSeen = d.startedAt() > 0 ? Math.min(d.startedAt(), d.ts()) : d.ts();
        CaseFile file = new CaseFile(CaseFile.SCHEMA, caseId, statusFor(d.confidence(), null), category, grid,
                new CaseFile.Location(d.lon(), d.lat()), severity, sources, firstSeen, d.ts(), 1, d.confidence(),
                mergeEvidence(new ArrayList<>(), d), a.department(), a.deadline(), d.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        messages.add(new CaseMessage(CaseMessage.NEW, file));
        ArrayList<Alert> alerts = new ArrayList<>();
        Alert raised = null;
        if (d.team() != null) {
            raised = alert(caseId, caseId, d.team(), Alert.RAISED, severity, file, AlertMessages.raised(grid, category.name(), d), d);
            alerts.add(raised);
        }
        ArrayList<String> ids = previous == null ? new ArrayList<>() : new ArrayList<>(previous.recentDetectionIds());
        CaseState state = new CaseState(Phase.OPEN, file, d.team(), caseId, raised == null ? null : severity, raised,
                remember(ids, d.detectionId()), 0);
        return new Outcome(state, messages, alerts);
    }

    private Outcome update(CaseState s, Detection d) {
        CaseFile f = s.caseFile();
        String severity = checkedSeverity(d);
        boolean rose = Severity.rises(f.severity(), severity);
        String newSeverity = rose ? severity : f.severity();
        ArrayList<CaseFile.Source> sources = new ArrayList<>(f.sources());
        CaseFile.Source source = new CaseFile.Source(d.source().type().id(), d.source().id(), d.source().zone());
        boolean newSource = !sources.contains(source);
        if (newSource) {
            sources.add(source);
        }
        // another source seeing it independently makes it likelier (noisy-OR); the same source again only as sure as its best
        double confidence = newSource ? 1 - (1 - f.confidence()) * (1 - d.confidence()) : Math.max(f.confidence(), d.confidence());
        String status = statusFor(confidence, f.status());
        Long deadline = f.deadline();
        if (rose && Severity.urgent(newSeverity) && !Severity.urgent(f.severity())) {
            // it became urgent: the calendar-time limit from now, unless the old deadline is sooner
            long urgent = responsibility.assign(f.category().kind(), f.category().code(), districtOf(d), f.grid().district(),
                    Instant.ofEpochMilli(d.ts()), true).deadline();
            deadline = deadline == null ? urgent : Math.min(deadline, urgent);
        }
        CaseFile updated = new CaseFile(f.schema(), f.caseId(), status, f.category(), f.grid(), f.location(), newSeverity, sources,
                Math.min(f.firstSeen(), d.startedAt() > 0 ? d.startedAt() : d.ts()), Math.max(f.lastSeen(), d.ts()),
                f.occurrences() + 1, confidence, mergeEvidence(new ArrayList<>(f.evidence()), d), f.department(), deadline,
                f.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        if (rose || newSource || !status.equals(f.status())) {
            messages.add(new CaseMessage(CaseMessage.UPDATE, updated));
        }
        ArrayList<Alert> alerts = new ArrayList<>();
        String alerted = s.alertedSeverity();
        Alert last = s.lastAlert();
        String team = s.team() != null ? s.team() : d.team();
        if (team != null && rose) {
            // a team that was never told gets its one raised alert now; otherwise each new level escalates once
            String state = last == null ? Alert.RAISED : Alert.ESCALATED;
            if (state.equals(Alert.RAISED) || Severity.rises(alerted, newSeverity)) {
                String text = state.equals(Alert.RAISED) ? AlertMessages.raised(f.grid(), f.category().name(), d)
                        : AlertMessages.escalated(f.grid(), f.category().name(), d);
                last = alert(s.alertSubject(), f.caseId(), team, state, newSeverity, updated, text, d);
                alerts.add(last);
                alerted = newSeverity;
            }
        }
        CaseState next = new CaseState(Phase.OPEN, updated, team, s.alertSubject(), alerted, last,
                remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId()), 0);
        return new Outcome(next, messages, alerts);
    }

    /**
     * One source of a shared case no longer sees its problem while others still do (CaseMerger's leave): the case goes
     * on, and keeps what that source brought with its {@code cleared} — a camera's closing frame — as evidence, in an
     * {@code update} when it adds any. Nothing else changes: not the occurrences, the severity, nor when it was last seen.
     */
    public Outcome leftBy(CaseState s, Detection d) {
        if (s == null || s.phase() != Phase.OPEN || s.caseFile() == null || d.evidence() == null || d.evidence().isEmpty()) {
            return s == null ? new Outcome(null, new ArrayList<>(), new ArrayList<>()) : nothing(s);
        }
        CaseFile f = s.caseFile();
        ArrayList<CaseFile.Evidence> evidence = mergeEvidence(new ArrayList<>(f.evidence()), d);
        if (evidence.equals(f.evidence())) {
            return nothing(s);
        }
        CaseFile updated = new CaseFile(f.schema(), f.caseId(), f.status(), f.category(), f.grid(), f.location(), f.severity(),
                f.sources(), f.firstSeen(), f.lastSeen(), f.occurrences(), f.confidence(), evidence, f.department(), f.deadline(),
                f.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        messages.add(new CaseMessage(CaseMessage.UPDATE, updated));
        CaseState next = new CaseState(Phase.OPEN, updated, s.team(), s.alertSubject(), s.alertedSeverity(), s.lastAlert(),
                remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId()), 0);
        return new Outcome(next, messages, new ArrayList<>());
    }

    private Outcome end(CaseState s, Detection d) {
        CaseFile f = s.caseFile();
        // the problem was there until the readings first showed the cause gone, not only until its last detection
        // (a flood that stopped rising at 16:50 and receded at 19:25 was seen until 19:25)
        long lastSeen = d.startedAt() > 0 && d.startedAt() <= d.ts() ? Math.max(f.lastSeen(), d.startedAt()) : f.lastSeen();
        CaseFile ended = new CaseFile(f.schema(), f.caseId(), CaseStatus.VERIFIED, f.category(), f.grid(), f.location(),
                f.severity(), f.sources(), f.firstSeen(), lastSeen, f.occurrences(), f.confidence(),
                mergeEvidence(new ArrayList<>(f.evidence()), d), f.department(), f.deadline(), f.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        messages.add(new CaseMessage(CaseMessage.END, ended));
        ArrayList<Alert> alerts = new ArrayList<>();
        Alert last = s.lastAlert();
        if (s.team() != null && last != null) {
            last = alert(s.alertSubject(), f.caseId(), s.team(), Alert.CLEARED, f.severity(), ended,
                    AlertMessages.cleared(f.grid(), f.category().name(), d), d);
            alerts.add(last);
        }
        CaseState next = new CaseState(Phase.ENDED, ended, s.team(), s.alertSubject(), s.alertedSeverity(), last,
                remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId()), d.ts());
        return new Outcome(next, messages, alerts);
    }

    /** A correction of the latest episode: see the class comment. */
    private Outcome revise(CaseState s, Detection d, CaseNumbering numbering) {
        Phase phase = s == null ? null : s.phase();
        if (phase == null || phase == Phase.WATCH || s.caseFile() == null) {
            Outcome opened = open(s, d, numbering);
            return d.endedAt() == null ? opened : then(opened, endRevised(opened.state(), d));
        }
        CaseFile f = s.caseFile();
        String severity = d.severity() != null ? checkedSeverity(d) : f.severity();
        boolean reopen = phase == Phase.ENDED && d.endedAt() == null;
        String status = phase == Phase.OPEN ? f.status() : reopen ? statusFor(f.confidence(), null) : CaseStatus.VERIFIED;
        long lastSeen = d.endedAt() != null ? d.endedAt() : Math.max(d.ts(), d.startedAt());
        CaseFile corrected = new CaseFile(f.schema(), f.caseId(), status, f.category(),
                f.grid(), f.location(), severity, f.sources(), d.startedAt(), Math.max(lastSeen, d.startedAt()), f.occurrences() + 1,
                f.confidence(), mergeEvidence(new ArrayList<>(f.evidence()), d), f.department(), f.deadline(), f.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        ArrayList<Alert> alerts = new ArrayList<>();
        ArrayList<String> ids = remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId());
        if (phase == Phase.ENDED && !reopen) {
            // the ended case, told right: when it began, how bad it was, when it cleared; the team was told already
            messages.add(new CaseMessage(CaseMessage.END, corrected));
            return new Outcome(new CaseState(Phase.ENDED, corrected, s.team(), s.alertSubject(), s.alertedSeverity(), s.lastAlert(),
                    ids, Math.max(s.endedAt(), d.ts())), messages, alerts);
        }
        messages.add(new CaseMessage(CaseMessage.UPDATE, corrected));
        String alerted = s.alertedSeverity();
        Alert last = s.lastAlert();
        // a reopened case's alerts get ids of their own: its first cleared alert stands, and a second may follow
        String subject = reopen ? s.alertSubject() + "/reopened@" + d.ts() : s.alertSubject();
        if (s.team() != null && reopen) {
            last = alert(subject, f.caseId(), s.team(), Alert.ESCALATED, severity, corrected,
                    AlertMessages.reopened(f.grid(), f.category().name(), d), d);
            alerts.add(last);
            alerted = severity;
        } else if (s.team() != null && Severity.rises(alerted, severity)) {
            last = alert(s.alertSubject(), f.caseId(), s.team(), last == null ? Alert.RAISED : Alert.ESCALATED, severity, corrected,
                    last == null ? AlertMessages.raised(f.grid(), f.category().name(), d)
                            : AlertMessages.escalated(f.grid(), f.category().name(), d), d);
            alerts.add(last);
            alerted = severity;
        }
        CaseState open = new CaseState(Phase.OPEN, corrected, s.team(), subject, alerted, last, ids, 0);
        Outcome revised = new Outcome(open, messages, alerts);
        return d.endedAt() == null ? revised : then(revised, endRevised(open, d));
    }

    /** Ends an open case as a revision says: verified, last seen when the clearing began. */
    private Outcome endRevised(CaseState open, Detection d) {
        CaseFile f = open.caseFile();
        CaseFile ended = new CaseFile(f.schema(), f.caseId(), CaseStatus.VERIFIED, f.category(), f.grid(), f.location(), f.severity(),
                f.sources(), f.firstSeen(), Math.max(f.firstSeen(), d.endedAt()), f.occurrences(), f.confidence(), f.evidence(),
                f.department(), f.deadline(), f.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        messages.add(new CaseMessage(CaseMessage.END, ended));
        ArrayList<Alert> alerts = new ArrayList<>();
        Alert last = open.lastAlert();
        if (open.team() != null && last != null) {
            last = alert(open.alertSubject(), f.caseId(), open.team(), Alert.CLEARED, f.severity(), ended,
                    AlertMessages.cleared(f.grid(), f.category().name(), d), d);
            alerts.add(last);
        }
        return new Outcome(new CaseState(Phase.ENDED, ended, open.team(), open.alertSubject(), open.alertedSeverity(), last,
                open.recentDetectionIds(), d.ts()), messages, alerts);
    }

    /** The case raised for an episode that, judged in event-time order, never was: rejected (a false report). */
    private Outcome retract(CaseState s, Detection d) {
        if (s == null || s.caseFile() == null || (s.phase() == Phase.ENDED && CaseStatus.REJECTED.equals(s.caseFile().status()))) {
            return new Outcome(s == null ? null : withId(s, d), new ArrayList<>(), new ArrayList<>());
        }
        CaseFile f = s.caseFile();
        CaseFile rejected = new CaseFile(f.schema(), f.caseId(), CaseStatus.REJECTED, f.category(), f.grid(), f.location(),
                f.severity(), f.sources(), f.firstSeen(), f.lastSeen(), f.occurrences() + 1, f.confidence(), f.evidence(),
                f.department(), f.deadline(), f.ruleId());
        ArrayList<CaseMessage> messages = new ArrayList<>();
        messages.add(new CaseMessage(CaseMessage.END, rejected));
        ArrayList<Alert> alerts = new ArrayList<>();
        Alert last = s.lastAlert();
        if (s.phase() == Phase.OPEN && s.team() != null && last != null) {
            last = alert(s.alertSubject(), f.caseId(), s.team(), Alert.CLEARED, f.severity(), rejected,
                    AlertMessages.retracted(f.grid(), f.category().name()), d);
            alerts.add(last);
        }
        long endedAt = s.phase() == Phase.ENDED ? Math.max(s.endedAt(), d.ts()) : d.ts();
        return new Outcome(new CaseState(Phase.ENDED, rejected, s.team(), s.alertSubject(), s.alertedSeverity(), last,
                remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId()), endedAt), messages, alerts);
    }

    /** Two outcomes one after the other: the second's state, both lists of messages and alerts. */
    private static Outcome then(Outcome first, Outcome second) {
        ArrayList<CaseMessage> messages = new ArrayList<>(first.messages());
        messages.addAll(second.messages());
        ArrayList<Alert> alerts = new ArrayList<>(first.alerts());
        alerts.addAll(second.alerts());
        return new Outcome(second.state(), messages, alerts);
    }

    private Outcome watch(CaseState s, Detection d) {
        String severity = checkedSeverity(d);
        ArrayList<String> ids = s == null ? new ArrayList<>() : new ArrayList<>(s.recentDetectionIds());
        remember(ids, d.detectionId());
        boolean running = s != null && s.phase() == Phase.WATCH;
        String team = running && s.team() != null ? s.team() : d.team();
        if (team == null) {
            // an alert-only detection nobody is to be alerted for: remember it, send nothing
            return new Outcome(new CaseState(Phase.WATCH, null, null, watchSubject(d), null, null, ids, 0),
                    new ArrayList<>(), new ArrayList<>());
        }
        ArrayList<Alert> alerts = new ArrayList<>();
        if (!running) {
            String subject = watchSubject(d);
            CaseFile.Grid grid = gridNames.names(d.gridCode(), districtOf(d));
            Alert raised = alert(subject, null, team, Alert.RAISED, severity, watchCategory(d), grid, d,
                    AlertMessages.watchRaised(grid, d, false));
            alerts.add(raised);
            return new Outcome(new CaseState(Phase.WATCH, null, team, subject, severity, raised, ids, 0), new ArrayList<>(), alerts);
        }
        String alerted = s.alertedSeverity();
        Alert last = s.lastAlert();
        if (Severity.rises(alerted, severity)) {
            CaseFile.Grid grid = gridNames.names(d.gridCode(), districtOf(d));
            last = alert(s.alertSubject(), null, team, Alert.ESCALATED, severity, watchCategory(d), grid, d,
                    AlertMessages.watchRaised(grid, d, true));
            alerts.add(last);
            alerted = severity;
        }
        return new Outcome(new CaseState(Phase.WATCH, null, team, s.alertSubject(), alerted, last, ids, 0), new ArrayList<>(), alerts);
    }

    private Outcome endWatch(CaseState s, Detection d) {
        ArrayList<Alert> alerts = new ArrayList<>();
        Alert last = s.lastAlert();
        if (s.team() != null && last != null) {
            CaseFile.Grid grid = new CaseFile.Grid(last.grid().code(), last.grid().district(), last.grid().street(), null);
            last = new Alert(Alert.SCHEMA, Alert.id(s.alertSubject(), s.team(), Alert.CLEARED, null), s.team(), Alert.CLEARED,
                    s.alertedSeverity(), null, last.category(), last.grid(), last.location(),
                    AlertMessages.watchCleared(grid, s.team()), d.ts());
            alerts.add(last);
        }
        return new Outcome(new CaseState(Phase.ENDED, null, s.team(), s.alertSubject(), s.alertedSeverity(), last,
                remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId()), d.ts()), new ArrayList<>(), alerts);
    }

    private CaseState withId(CaseState s, Detection d) {
        return new CaseState(s.phase(), s.caseFile(), s.team(), s.alertSubject(), s.alertedSeverity(), s.lastAlert(),
                remember(new ArrayList<>(s.recentDetectionIds()), d.detectionId()), s.endedAt());
    }

    /**
     * A watch episode: the problem and the time of the detection that began it, so that the next episode has
     * new alert ids (a watch rule's started_at may stay at the start of its window).
     */
    private static String watchSubject(Detection d) {
        return "watch:" + d.problemKey() + "@" + d.ts();
    }

    private Alert.Category watchCategory(Detection d) {
        if (d.category() == null || d.category().code() == null) {
            return null;
        }
        CaseFile.Category c = category(d);
        return new Alert.Category(c.code(), c.name());
    }

    private static Alert alert(String subject, String caseId, String team, String state, String severity, CaseFile f,
                               String message, Detection d) {
        return new Alert(Alert.SCHEMA, Alert.id(subject, team, state, severity), team, state, severity, caseId,
                new Alert.Category(f.category().code(), f.category().name()),
                new Alert.Grid(f.grid().code(), f.grid().district(), f.grid().street()), f.location(), message, d.ts());
    }

    private static Alert alert(String subject, String caseId, String team, String state, String severity, Alert.Category category,
                               CaseFile.Grid grid, Detection d, String message) {
        return new Alert(Alert.SCHEMA, Alert.id(subject, team, state, severity), team, state, severity, caseId, category,
                new Alert.Grid(grid.code(), grid.district(), grid.street()), new CaseFile.Location(d.lon(), d.lat()), message, d.ts());
    }

    private String statusFor(double confidence, String current) {
        if (current != null && !current.equals(CaseStatus.COLLECTED)) {
            return current;
        }
        return confidence >= settings.filingThreshold() ? CaseStatus.FILED : CaseStatus.COLLECTED;
    }

    /**
     * The class with its names from the catalogue. A code the catalogue does not know still makes a case
     * (a detection must never stop the job), named so that a person sees at once what is wrong.
     */
    private CaseFile.Category category(Detection d) {
        if (d.category() == null || d.category().code() == null) {
            throw new IllegalArgumentException("detection " + d.detectionId() + " (state " + d.state()
                    + ") has no category: a case needs a 部件/事件 class");
        }
        CatalogueClass.Kind k = d.category().kind() == null ? CatalogueClass.Kind.EVENT : d.category().kind();
        String kind = k.id();
        Optional<CatalogueClass> c = catalogue.find(k, d.category().code());
        return c.map(x -> new CaseFile.Category(x.kind().id(), x.code(), x.name(), x.majorCode(), x.majorName()))
                .orElseGet(() -> new CaseFile.Category(kind, d.category().code(), "未登记分类 " + d.category().code(),
                        d.category().code().substring(0, Math.min(2, d.category().code().length())), "未登记大类"));
    }

    private static String checkedSeverity(Detection d) {
        return Severity.idOf(d.severity());
    }

    private static String districtOf(Detection d) {
        if (d.districtCode() != null) {
            return d.districtCode();
        }
        return d.gridCode() != null && d.gridCode().length() >= 6 ? d.gridCode().substring(0, 6) : null;
    }

    /**
     * Adds a detection's evidence (no duplicates), keeping the first reference and the latest ones. A sensor series
     * that extends one the case holds (same sensor, same start, a later end) replaces it and moves to the end: a flood
     * seen four times is one series of its whole course, not four overlapping ones.
     */
    private ArrayList<CaseFile.Evidence> mergeEvidence(ArrayList<CaseFile.Evidence> evidence, Detection d) {
        for (Detection.Evidence e : d.evidence()) {
            ArrayList<Double> box = null;
            if (e.box() != null) {
                box = new ArrayList<>();
                for (double v : e.box()) {
                    box.add(v);
                }
            }
            CaseFile.Evidence x = new CaseFile.Evidence(e.type(), e.uri(), e.ts(), box, e.sha256());
            if (evidence.contains(x)) {
                continue;
            }
            String series = Detection.Evidence.seriesStart(x.type(), x.uri());
            if (series != null) {
                evidence.removeIf(old -> series.equals(Detection.Evidence.seriesStart(old.type(), old.uri())));
            }
            evidence.add(x);
        }
        while (evidence.size() > settings.evidenceLimit()) {
            evidence.remove(Math.min(1, evidence.size() - 1));
        }
        return evidence;
    }

    private ArrayList<String> remember(ArrayList<String> ids, String id) {
        ids.add(id);
        while (ids.size() > settings.recentIds()) {
            ids.remove(0);
        }
        return ids;
    }
}
