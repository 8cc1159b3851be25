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
 * The cases operator, keyed by district code: one {@link CaseState} per problem in map state.
 * {@link CaseTracker} decides; this only moves state. Case numbers come from a {@link CaseNumberSource}
 * outside the job's state (PostgreSQL in production), so that they are unique forever, and the same
 * again for a detection replayed after a restore. Case messages go to the main output, naming their
 * problem ({@link CaseMessage#problemKey()}), alerts to {@link #ALERTS}.
 */
public final class CasesFunction extends KeyedProcessFunction<String, Detection, CaseMessage> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CasesFunction.class);

    public static final OutputTag<Alert> ALERTS = new OutputTag<>("alerts", TypeInformation.of(Alert.class));
    static final MapStateDescriptor<String, CaseState> PROBLEMS =
            new MapStateDescriptor<>("problems", Types.STRING, TypeInformation.of(CaseState.class));

    private final GridwatchConfig.Edition edition;
    private final CaseNumberSource numbers;
    private transient CaseTracker tracker;
    private transient CaseNumberSource.Numbering numbering;
    private transient MapState<String, CaseState> problems;
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
        CaseState current = problems.get(key);
        CaseTracker.Outcome outcome = tracker.onDetection(current, d, numbering);
        if (outcome.state() == null) {
            problems.remove(key);
        } else {
            problems.put(key, outcome.state());
            if (!outcome.state().isOpen()) {
                ctx.timerService().registerEventTimeTimer(outcome.state().expiresAt());
            }
        }
        LOG.debug("{} → {} case messages, {} alerts", d.detectionId(), outcome.messages().size(), outcome.alerts().size());
        outcome.messages().forEach(m -> out.collect(m.withProblemKey(key)));
        outcome.alerts().forEach(a -> ctx.output(ALERTS, a));
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
