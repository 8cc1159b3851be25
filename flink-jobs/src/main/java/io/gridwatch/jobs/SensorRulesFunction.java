package io.gridwatch.jobs;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.rules.Rule;
import io.gridwatch.rules.RuleCheck;
import io.gridwatch.rules.RuleEvaluator;
import io.gridwatch.rules.RuleSet;
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

import java.util.List;
import java.util.Map;

/**
 * The sensor rules operator, keyed by sensor id: moves one sensor's {@link SensorRuleState} in and
 * out of Flink state around {@link RuleEvaluator}, and keeps the analysts' rules (from
 * {@code gw.rules.v1}) in broadcast state. The effective rules are the shipped defaults with the
 * topic's rules laid over them by rule id; a rule deleted from the topic falls back to its default. A rule that
 * cannot work ({@link RuleCheck} errors: an unknown metric or category, a clear that always holds …) is logged and
 * not applied; the rule it would have replaced stays in force.
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
    private transient Catalogue catalogue;
    private transient RuleEvaluator evaluator;
    private transient RuleSet rules;
    private transient ValueState<SensorKeyState> sensorState;
    private transient Counter detections;

    /** @param edition the catalogue that pushed rules' categories must belong to */
    public SensorRulesFunction(GridwatchConfig.Edition edition) {
        this.edition = java.util.Objects.requireNonNull(edition, "edition");
    }

    /** With the catalogue edition of the default configuration ({@code gridwatch-defaults.yaml}). */
    public SensorRulesFunction() {
        this(GridwatchConfig.defaults().catalogue().edition());
    }

    @Override
    public void open(OpenContext ctx) {
        catalogue = Catalogue.load(edition);
        evaluator = new RuleEvaluator();
        sensorState = getRuntimeContext().getState(SENSOR);
        detections = getRuntimeContext().getMetricGroup().counter("detections");
    }

    @Override
    public void processElement(Reading reading, ReadOnlyContext ctx, Collector<Detection> out) throws Exception {
        SensorKeyState state = sensorState.value();
        if (state == null) {
            state = new SensorKeyState(new SensorRuleState());
        }
        emit(evaluator.onReading(state.rules, reading, rules(ctx.getBroadcastState(RULES))), out);
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
        emit(evaluator.onTimer(state.rules, timestamp, rules(ctx.getBroadcastState(RULES))), out);
        store(state, ctx.timerService());
    }

    @Override
    public void processBroadcastElement(RuleChange change, Context ctx, Collector<Detection> out) throws Exception {
        BroadcastState<String, String> state = ctx.getBroadcastState(RULES);
        if (change.isDelete()) {
            state.remove(change.ruleId());
            LOG.info("rule {} deleted; its default (if any) applies again", change.ruleId());
        } else {
            try {
                Rule rule = RuleSet.parseRule(change.json());
                if (!rule.ruleId().equals(change.ruleId())) {
                    LOG.warn("ignoring rule record keyed {} whose rule_id is {}", change.ruleId(), rule.ruleId());
                    return;
                }
                RuleCheck.Findings findings = RuleCheck.check(rule, catalogue);
                if (findings.hasErrors()) {
                    LOG.error("ignoring rule {} on the rules topic, it cannot work (the rule in force before stays): {}",
                            change.ruleId(), String.join("; ", findings.errors()));
                    return;
                }
                findings.warnings().forEach(w -> LOG.warn("rule {} applied, but: {}", change.ruleId(), w));
                // a rule that parses alone may still clash with the others (same family and scope): check the whole set
                rules(ctx.getBroadcastState(RULES)).with(rule);
                state.put(change.ruleId(), change.json());
                LOG.info("rule {} changed; applies from the next reading", change.ruleId());
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring invalid rule {} on the rules topic: {}", change.ruleId(), e.getMessage());
                return;
            }
        }
        rules = null; // rebuilt from the broadcast state at the next reading
    }

    private RuleSet rules(ReadOnlyBroadcastState<String, String> analystRules) throws Exception {
        if (rules == null) {
            RuleSet set = RuleSet.defaults();
            for (Map.Entry<String, String> e : analystRules.immutableEntries()) {
                try {
                    Rule rule = RuleSet.parseRule(e.getValue());
                    RuleCheck.check(rule, catalogue).requireNoErrors();
                    set = set.with(rule);
                } catch (IllegalArgumentException ex) {
                    // restored from a checkpoint taken before this check existed: never crash on it, leave it out
                    LOG.error("leaving out rule {} of the restored rules, it cannot work: {}", e.getKey(), ex.getMessage());
                }
            }
            rules = set;
        }
        return rules;
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
