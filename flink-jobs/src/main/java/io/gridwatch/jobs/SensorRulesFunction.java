package io.gridwatch.jobs;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.rules.RuleCheck;
import io.gridwatch.rules.RuleEvaluator;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.rules.RulesInForce;
import io.gridwatch.rules.SensorRuleState;
import io.gridwatch.sensor.Reading;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * The sensor rules operator, keyed by sensor id: moves one sensor's {@link SensorRuleState} in and
 * out of Flink state around {@link RuleEvaluator}, and keeps the analysts' rules (from
 * {@code gw.rules.v1}) in broadcast state. What is in force is {@link RulesInForce}: the shipped defaults with the
 * topic's rules laid over them by rule id, a deleted rule falling back to its default. A rule that cannot work
 * ({@link RuleCheck} errors: an unknown metric or category, a clear that always holds …) is logged and not applied;
 * the rule it would have replaced stays in force.
 */
public final class SensorRulesFunction extends KeyedBroadcastProcessFunction<String, Reading, RuleChange, Detection> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SensorRulesFunction.class);

    /** Broadcast state: rule id → the rule's JSON as pushed by an analyst. */
    public static final MapStateDescriptor<String, String> RULES =
            new MapStateDescriptor<>("analyst-rules", Types.STRING, Types.STRING);
    /**
     * Keyed state: the sensor's rule state and its timer (a few hundred bytes when checkpointed). Named apart from
     * the earlier byte[] state ("sensor-rule-state" and "sensor-timer"), which a savepoint of the old job still holds.
     */
    static final ValueStateDescriptor<SensorKeyState> SENSOR = new ValueStateDescriptor<>("sensor", SensorKeyState.Serializer.INSTANCE);

    private final GridwatchConfig.Edition edition;
    private final Duration lateness;
    private transient Catalogue catalogue;
    private transient RuleEvaluator evaluator;
    private transient RulesInForce inForce;
    private transient ValueState<SensorKeyState> sensorState;
    private transient Counter detections;

    /**
     * @param edition  the catalogue that pushed rules' categories must belong to
     * @param lateness how late a reading may arrive and still be judged in event-time order (the replay horizon of
     *                 {@link RuleEvaluator#RuleEvaluator(Duration)}; {@code jobs.sensor_pipeline.lateness_s})
     */
    public SensorRulesFunction(GridwatchConfig.Edition edition, Duration lateness) {
        this.edition = java.util.Objects.requireNonNull(edition, "edition");
        this.lateness = java.util.Objects.requireNonNull(lateness, "lateness");
        new RuleEvaluator(lateness); // refuse a bound the evaluator refuses now, not when the job starts
    }

    /** With the catalogue edition and lateness of the default configuration ({@code gridwatch-defaults.yaml}). */
    public SensorRulesFunction() {
        this(GridwatchConfig.defaults().catalogue().edition(), GridwatchConfig.defaults().jobs().sensorPipeline().lateness());
    }

    @Override
    public void open(OpenContext ctx) {
        catalogue = Catalogue.load(edition);
        evaluator = new RuleEvaluator(lateness);
        sensorState = getRuntimeContext().getState(SENSOR);
        detections = getRuntimeContext().getMetricGroup().counter("detections");
    }

    @Override
    public void processElement(Reading reading, ReadOnlyContext ctx, Collector<Detection> out) throws Exception {
        SensorKeyState state = sensorState.value();
        if (state == null) {
            state = new SensorKeyState(new SensorRuleState());
        }
        emit(evaluator.onReading(state.rules, reading, inForce(ctx.getBroadcastState(RULES)).effective()), out);
        store(state, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Detection> out) throws Exception {
        SensorKeyState state = sensorState.value();
        if (state == null) {
            return;
        }
        state.timer = SensorRuleState.NONE;
        long due = evaluator.nextTimer(state.rules);
        if (due != SensorRuleState.NONE && due > timestamp) {
            // readings came since this timer was set: the deadline moved on, so wait for it
            ctx.timerService().registerEventTimeTimer(due);
            state.timer = due;
            sensorState.update(state);
            return;
        }
        emit(evaluator.onTimer(state.rules, timestamp, inForce(ctx.getBroadcastState(RULES)).effective()), out);
        store(state, ctx.timerService());
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<Detection> out) throws Exception {
        if (io.gridwatch.video.DwellRules.isDwell(change.json())) {
            return; // a camera dwell rule: VideoDetectionFunction's
        }
        BroadcastState<String, String> state = ctx.getBroadcastState(RULES);
        if (change.json() == null && !state.contains(change.ruleId()) && RuleSet.defaults().rule(change.ruleId()).isEmpty()) {
            return; // the deletion of a rule that is not a sensor rule (a dwell rule's)
        }
        RulesInForce.Applied applied = inForce(state).apply(change.ruleId(), change.json());
        switch (applied.outcome()) {
            case APPLIED -> {
                applied.warnings().forEach(w -> LOG.warn("rule {} applied, but: {}", change.ruleId(), w));
                state.put(change.ruleId(), change.json());
                LOG.info("rule {} changed; applies from the next reading", change.ruleId());
            }
            case DELETED -> {
                state.remove(change.ruleId());
                LOG.info("rule {} deleted; its default (if any) applies again", change.ruleId());
            }
            case IGNORED -> LOG.error("ignoring rule {} on the rules topic, it cannot work (the rule in force before stays): {}",
                    change.ruleId(), applied.reason());
        }
        // a deletion can leave out another rule that no longer fits: keep the broadcast state what is in force
        for (String id : applied.rules().ignored().keySet()) {
            if (!id.equals(change.ruleId()) && state.contains(id) && !applied.rules().analysts().containsKey(id)) {
                LOG.error("rule {} leaves the rules in force: {}", id, applied.rules().ignored().get(id));
                state.remove(id);
            }
        }
        inForce = applied.rules();
    }

    /** The rules in force: the defaults with the broadcast state's rules laid over them, rebuilt after a restore. */
    private RulesInForce inForce(ReadOnlyBroadcastState<String, String> analystRules) throws Exception {
        if (inForce == null) {
            RulesInForce set = RulesInForce.replay(RuleSet.defaults(), catalogue, analystRules.immutableEntries());
            // restored from a checkpoint taken before a check existed: never crash on such a rule, leave it out
            set.ignored().forEach((id, why) -> LOG.error("leaving out rule {} of the restored rules, it cannot work: {}", id, why));
            inForce = set;
        }
        return inForce;
    }

    /**
     * Saves the state and keeps one timer no later than the next deadline. Every reading moves a sensor's offline
     * deadline later; instead of deleting and registering a timer per reading, an earlier timer stays and
     * {@link #onTimer} re-arms it at the deadline then due.
     */
    private void store(SensorKeyState state, org.apache.flink.streaming.api.TimerService timers) throws Exception {
        long next = evaluator.nextTimer(state.rules);
        if (next == SensorRuleState.NONE) {
            if (state.timer != SensorRuleState.NONE) {
                timers.deleteEventTimeTimer(state.timer);
                state.timer = SensorRuleState.NONE;
            }
        } else if (state.timer == SensorRuleState.NONE || next < state.timer) {
            if (state.timer != SensorRuleState.NONE) {
                timers.deleteEventTimeTimer(state.timer);
            }
            timers.registerEventTimeTimer(next);
            state.timer = next;
        }
        sensorState.update(state);
    }

    private void emit(List<Detection> list, Collector<Detection> out) {
        for (Detection d : list) {
            out.collect(d);
            detections.inc();
        }
    }
}
