package io.gridwatch.jobs;

import io.gridwatch.cases.Alert;
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
 * The cases operator, keyed by district code: one {@link CaseState} per problem in map state, and
 * the day's case counter of the district (case ids are numbered per district and day, and a
 * restore from a checkpoint numbers the same way). {@link CaseTracker} decides; this only moves
 * state. Case messages go to the main output, alerts to {@link #ALERTS}.
 */
public final class CasesFunction extends KeyedProcessFunction<String, Detection, CaseMessage> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CasesFunction.class);

    public static final OutputTag<Alert> ALERTS = new OutputTag<>("alerts", TypeInformation.of(Alert.class));
    static final MapStateDescriptor<String, CaseState> PROBLEMS =
            new MapStateDescriptor<>("problems", Types.STRING, TypeInformation.of(CaseState.class));
    static final MapStateDescriptor<String, Integer> COUNTERS =
            new MapStateDescriptor<>("case-counters", Types.STRING, Types.INT);

    private final GridwatchConfig.Edition edition;
    private transient CaseTracker tracker;
    private transient MapState<String, CaseState> problems;
    private transient MapState<String, Integer> counters;
    private transient Counter maintenance;

    public CasesFunction(GridwatchConfig.Edition edition) {
        this.edition = edition;
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
        counters = getRuntimeContext().getMapState(COUNTERS);
        maintenance = getRuntimeContext().getMetricGroup().counter("maintenance-signals");
    }

    @Override
    public void processElement(Detection d, Context ctx, Collector<CaseMessage> out) throws Exception {
        if (Detection.OFFLINE.equals(d.state()) || Detection.ONLINE.equals(d.state())) {
            maintenance.inc();
            LOG.info("sensor {} is {} (maintenance signal, no case) at {}", d.source().id(), d.state(), d.ts());
        }
        String key = d.problemKey() == null ? d.source().type() + ":" + d.source().id() : d.problemKey();
        CaseState current = problems.get(key);
        CaseTracker.Outcome outcome = tracker.onDetection(current, d, (district, day) -> {
            try {
                String k = day.toString();
                int next = counters.contains(k) ? counters.get(k) + 1 : 1;
                counters.put(k, next);
                return next;
            } catch (Exception e) {
                throw new IllegalStateException("case counter state", e);
            }
        });
        if (outcome.state() == null) {
            problems.remove(key);
        } else {
            problems.put(key, outcome.state());
            if (!outcome.state().isOpen()) {
                ctx.timerService().registerEventTimeTimer(outcome.state().expiresAt());
            }
        }
        LOG.debug("{} → {} case messages, {} alerts", d.detectionId(), outcome.messages().size(), outcome.alerts().size());
        outcome.messages().forEach(out::collect);
        outcome.alerts().forEach(a -> ctx.output(ALERTS, a));
    }

    /** Drops ended problems once replays of their detections can no longer arrive, and old day counters. */
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
        // keep yesterday's counter: detections may arrive up to an hour late, past midnight
        String yesterday = java.time.Instant.ofEpochMilli(timestamp).atZone(java.time.ZoneId.of("Asia/Shanghai"))
                .toLocalDate().minusDays(1).toString();
        List<String> oldDays = new ArrayList<>();
        for (String day : counters.keys()) {
            if (day.compareTo(yesterday) < 0) {
                oldDays.add(day);
            }
        }
        for (String day : oldDays) {
            counters.remove(day);
        }
    }
}
