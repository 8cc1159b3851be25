package io.gridwatch.backtest;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.cases.CaseState;
import io.gridwatch.cases.CaseTracker;
import io.gridwatch.detection.Detection;
import io.gridwatch.rules.RuleEvaluator;
import io.gridwatch.rules.RuleSet;
import io.gridwatch.rules.SensorRuleState;
import io.gridwatch.sensor.Reading;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * 回测 — replays recorded readings through a rule set and says which cases and alerts it would have raised:
 * the sensor pipeline's two steps, {@link RuleEvaluator} per sensor and {@link CaseTracker} per problem,
 * without Flink or Kafka. {@link #compare} runs the live rules and a candidate over the same readings.
 *
 * <h2>Time</h2>
 * Readings may come in any order; they are replayed in event-time order (a stable sort by {@code ts}, so
 * readings of equal time keep their order and a repeated {@code seq} is dropped as the job drops it).
 * Each sensor therefore sees its readings in order — unlike the live job, no reading is late, so a replay
 * can differ from what the job did with readings that really arrived late (see {@link RuleEvaluator}).
 *
 * <p>Offline timers fire as the job's would: one timer per sensor ({@link RuleEvaluator#nextTimer}), and a
 * simulated watermark of <em>the newest time replayed − {@link #outOfOrderness} − 1 ms</em> (Flink's bounded
 * out-of-orderness watermark), advanced before each reading; timers due at or before it fire first, earliest
 * first. At the end the watermark stops at the newest reading: a sensor that only falls silent because the
 * replayed range ends is not declared offline.
 *
 * <h2>State</h2>
 * A replay starts cold: no sensor state and no open case from before the first reading. Case ids are
 * numbered within the replay (per district and Asia/Shanghai day, as the cases job does).
 *
 * <p>Immutable and thread-safe; every run keeps its own state.
 */
public final class Backtest {

    /** The sensor pipeline job's default bound on out-of-orderness ({@code SensorPipelineJob.Settings}). */
    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);

    private final CaseTracker tracker;
    private final long outOfOrdernessMs;
    private final RuleEvaluator evaluator = new RuleEvaluator();

    /** A backtest with the job's default watermark bound, {@link #DEFAULT_OUT_OF_ORDERNESS}. */
    public Backtest(CaseTracker tracker) {
        this(tracker, DEFAULT_OUT_OF_ORDERNESS);
    }

    /**
     * @param tracker        turns detections into cases and alerts, as the cases job does
     * @param outOfOrderness the watermark bound of the job being imitated
     */
    public Backtest(CaseTracker tracker, Duration outOfOrderness) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        if (outOfOrderness.isNegative()) {
            throw new IllegalArgumentException("out-of-orderness must not be negative, got " + outOfOrderness);
        }
        this.outOfOrdernessMs = outOfOrderness.toMillis();
    }

    public Duration outOfOrderness() {
        return Duration.ofMillis(outOfOrdernessMs);
    }

    /** What {@code rules} would have raised over these readings (any order). */
    public BacktestResult run(Iterable<Reading> readings, RuleSet rules) {
        return new Replay(rules).run(inEventTimeOrder(readings));
    }

    /** Both rule sets over the same readings (any order), and how their cases differ, by problem key. */
    public Comparison compare(Iterable<Reading> readings, RuleSet live, RuleSet candidate) {
        List<Reading> ordered = inEventTimeOrder(readings);
        return Comparison.of(new Replay(live).run(ordered), new Replay(candidate).run(ordered));
    }

    /**
     * The cases that detections made elsewhere would have raised, in the order given — the camera dwell rules' replay of
     * recorded observations ({@code io.gridwatch.video.DwellReplay}) — and how the two lists' cases differ.
     *
     * @param inputs  how many records the detections were made from (observations), for the report
     * @param sources how many sources (cameras) they came from
     */
    public Comparison compareDetections(List<Detection> live, List<Detection> candidate, int inputs, int sources) {
        return Comparison.of(new Replay(RuleSet.empty()).fromDetections(live, inputs, sources),
                new Replay(RuleSet.empty()).fromDetections(candidate, inputs, sources));
    }

    private static List<Reading> inEventTimeOrder(Iterable<Reading> readings) {
        List<Reading> list = new ArrayList<>();
        readings.forEach(r -> list.add(Objects.requireNonNull(r, "reading")));
        list.sort(Comparator.comparingLong(Reading::ts)); // stable: equal times keep their order
        return list;
    }

    /** A sensor's registered timer, as the operator's single event-time timer per key. */
    private record Timer(long time, String sensorId) {
    }

    /** One replay of one rule set: the state the two operators would keep, in plain maps. */
    private final class Replay {
        private final RuleSet rules;
        private final Map<String, SensorRuleState> sensors = new HashMap<>();
        /** the timer each sensor has registered; queue entries that disagree with it are stale */
        private final Map<String, Long> registered = new HashMap<>();
        private final PriorityQueue<Timer> timers =
                new PriorityQueue<>(Comparator.comparingLong(Timer::time).thenComparing(Timer::sensorId));
        private final Map<String, CaseState> problems = new HashMap<>();
        private final Map<String, Integer> counters = new HashMap<>();
        private final CaseTracker.CaseNumbering numbering =
                (district, day, opening) -> counters.merge(district + "/" + day, 1, Integer::sum);
        /** case id → the case as it stands, in the order raised */
        private final Map<String, CaseProgress> cases = new LinkedHashMap<>();
        private final Map<String, Integer> detectionsByState = new TreeMap<>();
        private final Map<String, Integer> alertsByState = new TreeMap<>();
        private final List<Alert> alerts = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();

        Replay(RuleSet rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
        }

        BacktestResult run(List<Reading> ordered) {
            long newest = Long.MIN_VALUE;
            for (Reading r : ordered) {
                if (newest != Long.MIN_VALUE) {
                    fireTimers(newest - outOfOrdernessMs - 1);
                }
                SensorRuleState state = sensors.computeIfAbsent(r.sensorId(), id -> new SensorRuleState());
                evaluator.onReading(state, r, rules).forEach(this::track);
                register(r.sensorId(), state);
                newest = Math.max(newest, r.ts());
            }
            if (newest != Long.MIN_VALUE) {
                fireTimers(newest - outOfOrdernessMs - 1);
            }
            return new BacktestResult(ordered.size(), sensors.size(),
                    cases.values().stream().map(CaseProgress::toCase).toList(),
                    new TreeMap<>(alertsByState), new TreeMap<>(detectionsByState), alerts, skipped);
        }

        BacktestResult fromDetections(List<Detection> detections, int inputs, int sources) {
            detections.forEach(this::track);
            return new BacktestResult(inputs, sources, cases.values().stream().map(CaseProgress::toCase).toList(),
                    new TreeMap<>(alertsByState), new TreeMap<>(detectionsByState), alerts, skipped);
        }

        private void fireTimers(long watermark) {
            while (!timers.isEmpty() && timers.peek().time() <= watermark) {
                Timer t = timers.poll();
                Long current = registered.get(t.sensorId());
                if (current == null || current != t.time()) {
                    continue; // replaced or deleted since
                }
                registered.remove(t.sensorId());
                SensorRuleState state = sensors.get(t.sensorId());
                evaluator.onTimer(state, t.time(), rules).forEach(this::track);
                register(t.sensorId(), state);
            }
        }

        private void register(String sensorId, SensorRuleState state) {
            long next = evaluator.nextTimer(state);
            if (next == SensorRuleState.NONE) {
                registered.remove(sensorId);
            } else {
                Long previous = registered.put(sensorId, next);
                if (previous == null || previous != next) {
                    timers.add(new Timer(next, sensorId));
                }
            }
        }

        /** The cases operator's part: the problem's state in and out of {@link CaseTracker}. */
        private void track(Detection d) {
            detectionsByState.merge(d.state().id(), 1, Integer::sum);
            String key = d.problemKey() == null ? d.source().type().id() + ":" + d.source().id() : d.problemKey();
            CaseTracker.Outcome outcome;
            try {
                outcome = tracker.onDetection(problems.get(key), d, numbering);
            } catch (IllegalArgumentException e) {
                skipped.add(d.detectionId() + ": " + e.getMessage());
                return;
            }
            if (outcome.state() == null) {
                problems.remove(key);
            } else {
                problems.put(key, outcome.state());
            }
            for (CaseMessage m : outcome.messages()) {
                String id = m.caseFile().caseId();
                if (m.type().equals(CaseMessage.NEW)) {
                    cases.put(id, new CaseProgress(key, d.ts(), m.caseFile()));
                }
                CaseProgress c = cases.get(id);
                if (c != null && m.type().equals(CaseMessage.END)) {
                    c.endedAt = d.ts();
                }
            }
            // the state holds the case with every count; a message goes out only when something a reader needs changed
            if (outcome.state() != null && outcome.state().caseFile() != null) {
                CaseProgress c = cases.get(outcome.state().caseFile().caseId());
                if (c != null) {
                    c.file = outcome.state().caseFile();
                }
            }
            for (Alert a : outcome.alerts()) {
                alerts.add(a);
                alertsByState.merge(a.state(), 1, Integer::sum);
                CaseProgress c = a.caseId() == null ? null : cases.get(a.caseId());
                if (c != null) {
                    c.alerts.add(a.state());
                }
            }
        }
    }

    /** A case while the replay runs. */
    private static final class CaseProgress {
        final String problemKey;
        final long raisedAt;
        final List<String> alerts = new ArrayList<>();
        CaseFile file;
        Long endedAt;

        CaseProgress(String problemKey, long raisedAt, CaseFile file) {
            this.problemKey = problemKey;
            this.raisedAt = raisedAt;
            this.file = file;
        }

        ReplayedCase toCase() {
            return new ReplayedCase(problemKey, file.caseId(), file.ruleId(), file.category(), file.grid(), file.severity(),
                    file.firstSeen(), file.lastSeen(), raisedAt, endedAt, file.occurrences(), file.status(), alerts);
        }
    }
}
