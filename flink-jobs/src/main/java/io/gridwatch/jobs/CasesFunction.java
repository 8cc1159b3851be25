package io.gridwatch.jobs;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseMerger;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.cases.CaseState;
import io.gridwatch.cases.CaseTracker;
import io.gridwatch.cases.GridNames;
import io.gridwatch.cases.Responsibility;
import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.detection.Detection;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cases operator, keyed by district code: one {@link CaseState} per problem in map state.
 * {@link CaseTracker} decides; this only moves state. Case numbers come from a {@link CaseNumberSource}
 * outside the job's state (PostgreSQL in production), so that they are unique forever, and the same
 * again for a detection replayed after a restore. Case messages go to the main output, naming their
 * problem ({@link CaseMessage#problemKey()}), alerts to {@link #ALERTS}.
 *
 * <p>One case per problem across sources: keying by district puts a camera and the gauge it looks at on one key, and
 * {@link CaseMerger} decides when a problem joins another's open case ({@link #JOINED}, {@link #GROUPS}); the shared
 * case lives under the first problem's key and ends when the last of its problems cleared. (A camera and a gauge on
 * either side of a district boundary stay two cases.)
 */
public final class CasesFunction extends KeyedProcessFunction<String, Detection, CaseMessage> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CasesFunction.class);

    public static final OutputTag<Alert> ALERTS = new OutputTag<>("alerts", TypeInformation.of(Alert.class));
    static final MapStateDescriptor<String, CaseState> PROBLEMS =
            new MapStateDescriptor<>("problems", Types.STRING, TypeInformation.of(CaseState.class));
    /** A problem that joined another's case ({@link CaseMerger}) → the problem whose key holds that case. */
    static final MapStateDescriptor<String, String> JOINED =
            new MapStateDescriptor<>("joined", Types.STRING, Types.STRING);
    /** A shared case's problem key → the problems still seeing it. */
    static final MapStateDescriptor<String, CaseMerger.Group> GROUPS =
            new MapStateDescriptor<>("groups", Types.STRING, TypeInformation.of(CaseMerger.Group.class));

    private final GridwatchConfig.Edition edition;
    private final CaseNumberSource numbers;
    private transient CaseTracker tracker;
    private transient CaseNumberSource.Numbering numbering;
    private transient MapState<String, CaseState> problems;
    private transient MapState<String, String> joined;
    private transient MapState<String, CaseMerger.Group> groups;
    private transient CaseMerger merger;
    private transient Counter maintenance;

    public CasesFunction(GridwatchConfig.Edition edition, CaseNumberSource numbers) {
        this.edition = edition;
        this.numbers = java.util.Objects.requireNonNull(numbers, "numbers");
    }

    /** The problem a detection belongs to; a detection that names none is its source's problem. */
    static String problemKeyOf(Detection d) {
        return d.problemKey() == null ? d.source().type() + ":" + d.source().id() : d.problemKey();
    }

    @Override
    public void open(OpenContext ctx) {
        Responsibility responsibility = Responsibility.load();
        int year = java.time.LocalDate.now(responsibility.calendar().zone()).getYear();
        if (!responsibility.calendar().coversYear(year)) {
            LOG.warn("the working calendar has no public holidays for {}: deadlines count Mon–Fri only; add the year's 放假调休"
                    + " dates to {}", year, io.gridwatch.cases.WorkingCalendar.CHINA_HOLIDAYS);
        }
        tracker = new CaseTracker(Catalogue.load(edition), GridNames.of(AdministrativeDivisions.dalian()),
                responsibility, CaseTracker.Settings.DEFAULTS);
        problems = getRuntimeContext().getMapState(PROBLEMS);
        joined = getRuntimeContext().getMapState(JOINED);
        groups = getRuntimeContext().getMapState(GROUPS);
        merger = new CaseMerger(CaseMerger.Settings.DEFAULTS);
        numbering = numbers.open();
        maintenance = getRuntimeContext().getMetricGroup().counter("maintenance-signals");
    }

    @Override
    public void processElement(Detection d, Context ctx, Collector<CaseMessage> out) throws Exception {
        if (d.state() == Detection.State.OFFLINE || d.state() == Detection.State.ONLINE) {
            maintenance.inc();
            LOG.info("sensor {} is {} (maintenance signal, no case) at {}", d.source().id(), d.state(), d.ts());
        }
        String key = problemKeyOf(d);
        String caseKey = caseKeyOf(key, d);
        CaseMerger.Group group = groups.get(caseKey);
        if (group != null) {
            CaseMerger.Route route = CaseMerger.route(group, key, d);
            if (route == CaseMerger.Route.DROP) {
                LOG.debug("{}: a correction of {}, which shares case {} with {}: nothing to change", d.detectionId(), key,
                        caseKey, group.active());
                return;
            }
            if (route == CaseMerger.Route.LEAVE) {
                leave(group, key);
                // what it brought with its leaving (a camera's closing frame) stays with the case
                CaseTracker.Outcome kept = tracker.leftBy(problems.get(caseKey), d);
                if (kept.state() != null && !kept.messages().isEmpty()) {
                    problems.put(caseKey, kept.state());
                    kept.messages().forEach(m -> out.collect(m.withProblemKey(caseKey)));
                }
                LOG.info("{} no longer sees the problem of case {} ({}); {} still do", key, caseKey, d.state(),
                        groups.contains(caseKey) ? groups.get(caseKey).active() : List.of());
                return;
            }
        }
        CaseState current = problems.get(caseKey);
        CaseTracker.Outcome outcome = tracker.onDetection(current, d, numbering);
        if (outcome.state() == null) {
            problems.remove(caseKey);
        } else {
            problems.put(caseKey, outcome.state());
            if (!outcome.state().isOpen()) {
                ctx.timerService().registerEventTimeTimer(outcome.state().expiresAt());
            }
        }
        if (group != null) {
            if (outcome.state() == null || !outcome.state().isOpen()) {
                dissolve(group);
            } else if (!group.active().contains(key)) {
                groups.put(caseKey, group.withActive(key));
            }
        }
        LOG.debug("{} → {} case messages, {} alerts", d.detectionId(), outcome.messages().size(), outcome.alerts().size());
        outcome.messages().forEach(m -> out.collect(m.withProblemKey(caseKey)));
        outcome.alerts().forEach(a -> ctx.output(ALERTS, a));
    }

    /**
     * The problem whose state holds {@code key}'s case: its own, the case it joined, or — when it opens with no case of
     * its own — the open case of another problem it joins now ({@link CaseMerger#joinTarget}).
     */
    private String caseKeyOf(String key, Detection d) throws Exception {
        String target = joined.get(key);
        if (target != null || groups.contains(key)) {
            return target != null ? target : key;
        }
        CaseState own = problems.get(key);
        if (own != null && (own.isOpen() || d.ts() <= own.endedAt())) {
            return key;
        }
        java.util.Optional<String> join = merger.joinTarget(key, d, problems.entries());
        if (join.isEmpty()) {
            return key;
        }
        String canonical = join.get();
        CaseMerger.Group group = groups.get(canonical);
        groups.put(canonical, group == null ? CaseMerger.Group.of(canonical, key) : group.withActive(key));
        joined.put(key, canonical);
        LOG.info("{} ({} {}) joins the case of {}: one problem, {} sources", key, d.source().type(), d.source().id(), canonical,
                groups.get(canonical).active().size());
        return canonical;
    }

    /** {@code key} no longer sees its group's problem; the others do. */
    private void leave(CaseMerger.Group group, String key) throws Exception {
        groups.put(group.canonical(), group.without(key));
        if (!key.equals(group.canonical())) {
            joined.remove(key);
        }
    }

    /** The shared case ended: its problems are on their own again. */
    private void dissolve(CaseMerger.Group group) throws Exception {
        for (String k : group.active()) {
            joined.remove(k);
        }
        groups.remove(group.canonical());
    }

    @Override
    public void close() throws Exception {
        if (numbering != null) {
            numbering.close();
        }
        super.close();
    }

    /** Drops ended problems once replays of their detections can no longer arrive. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CaseMessage> out) throws Exception {
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, CaseState> e : problems.entries()) {
            if (e.getValue().expiresAt() <= timestamp) {
                expired.add(e.getKey());
            }
        }
        for (String k : expired) {
            problems.remove(k);
        }
    }
}
