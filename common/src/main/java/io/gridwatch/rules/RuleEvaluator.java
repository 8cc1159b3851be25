package io.gridwatch.rules;

import io.gridwatch.detection.Detection;
import io.gridwatch.rules.RuleSet.Family;
import io.gridwatch.rules.SensorRuleState.Slot;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;

import java.util.ArrayList;
import java.util.List;

import static io.gridwatch.rules.SensorRuleState.NONE;

/**
 * Evaluates the rules of a {@link RuleSet} over the readings of one sensor, keeping what it needs in
 * a {@link SensorRuleState}; emits {@link Detection}s. Flink-free: the sensor rules operator keys by
 * sensor, keeps the state (as bytes), and registers {@link #nextTimer} as an event-time timer.
 *
 * <h2>Order of events</h2>
 * A reading whose time is not older than the newest one evaluated ({@link SensorRuleState#lastTs()}) is
 * evaluated at once: an alert follows the very reading that completes a condition. A <em>late</em>
 * reading (older than that, CONTRACTS.md §1 allows an hour) is <b>not</b> used for holds, clears or
 * severity (threshold and rate rules), but <b>is</b> counted where order does not matter: in window
 * sums (it lands in its own time bucket), in a rate rule's sample ring (it is inserted in time order and
 * used by the next evaluation), by the duplicate filter, and as a sign of life (offline → online).
 * Trade-off: a late reading that would have broken a hold (one low value between high ones) does not
 * break it, and cannot raise retroactively; in exchange the state stays a few hundred bytes and no
 * detection is ever retracted. Re-evaluating from a per-metric ring would cost ~1 KB per metric.
 *
 * <h2>Holds and noise</h2>
 * A run of an alternative starts at the first reading on which it holds and continues while every
 * reading holds; a reading without the metric leaves it as it is; a gap of more than
 * {@value #MAX_GAP_INTERVALS} × the sensor's interval between readings ends every run (a hold needs
 * evidence). A single-reading spike or a sensor flapping around a threshold faster than the hold never
 * raises; once raised, the separate clear condition (hysteresis) and its own hold stop flapping on clear.
 * Duplicate deliveries (a repeated {@code seq}) are dropped before any rule.
 *
 * <h2>What is emitted</h2>
 * <ul>
 * <li>threshold / rate: {@code raised} (severity = the ladder level of the raising reading, at least the
 * lowest), {@code update} on every rise of the ladder while open (severity never falls), {@code cleared}.
 * Problem key {@code sensor:<id>:<family>}.</li>
 * <li>window sum: {@code watch} when the sum reaches the level, {@code cleared} below the clear level;
 * problem key {@code district:<code>:<rule_id>} (the sensor's key when it has no district).</li>
 * <li>offline: {@code offline} from a timer (or a status message saying so), {@code online} on the next
 * reading.</li>
 * </ul>
 * Ids are {@code <sensor>/<rule_id>/<ts>/<state>}, so a replay gives the same ids. Confidence is 1.0,
 * or {@value #SINGLE_READING_CONFIDENCE} when a raise rests on a single reading (a hold shorter than the
 * sensor's interval), so that the cases job may ask a person to confirm it.
 *
 * <h2>Rule changes</h2>
 * The rule set is an argument of every call: a new set applies from the next reading. The state of a
 * family survives a change of its rule (an open case stays open under the new thresholds); the state of
 * a family no longer in force for the sensor (deleted, out of scope, or disabled) is forgotten, without a
 * detection. A rule outside its schedule is idle: it emits nothing and its runs restart.
 *
 * <p>Stateless and thread-safe; one instance may serve every key.
 */
public final class RuleEvaluator {

    /** A gap longer than this many intervals between readings ends every hold. */
    public static final int MAX_GAP_INTERVALS = 3;
    public static final double SINGLE_READING_CONFIDENCE = 0.8;

    private static final int FALSE = 0;
    private static final int UNKNOWN = 1;
    private static final int TRUE = 2;

    /**
     * Evaluates one reading.
     *
     * @return the detections it causes, often none (a fresh list the caller may keep)
     */
    public List<Detection> onReading(SensorRuleState s, Reading r, RuleSet rules) {
        if (s.isDuplicate(r.seq(), r.ts())) {
            return new ArrayList<>(0);
        }
        List<Detection> out = new ArrayList<>(0);
        long previous = s.lastTs;
        boolean inOrder = previous == NONE || r.ts() >= previous;
        if (inOrder) {
            s.updateContext(r);
            s.lastTs = r.ts();
        }
        boolean gap = previous != NONE && inOrder && r.ts() - previous > MAX_GAP_INTERVALS * 1000L * s.intervalS;
        boolean status = Reading.STATUS.equals(r.kind());

        Family[] families = rules.families(r.type());
        boolean[] inForce = new boolean[families.length];
        Rule[] chosen = new Rule[families.length];
        for (int f = 0; f < families.length; f++) {
            Rule rule = families[f].select(s.sensorId, s.gridCode, s.districtCode);
            inForce[f] = rule != null && rule.isEnabled();
            chosen[f] = rule;
        }
        s.retain(families, inForce);
        for (int f = 0; f < families.length; f++) {
            if (!inForce[f]) {
                continue;
            }
            Rule rule = chosen[f];
            Slot slot = s.slot(families[f].name(), rule.kind());
            boolean scheduled = rule.schedule() == null || rule.schedule().isActive(r.ts());
            switch (rule.kind()) {
                case OFFLINE -> offline(s, slot, rule, r, inOrder, status, out);
                case THRESHOLD -> {
                    if (status || !inOrder) {
                        continue;
                    }
                    if (!scheduled || gap) {
                        slot.ensureRuns(rule.threshold().raise().size(), rule.threshold().clear().size());
                        slot.resetRuns();
                    }
                    if (scheduled) {
                        threshold(s, slot, rule, r, out);
                    }
                }
                case RATE -> {
                    if (status) {
                        continue;
                    }
                    rate(s, slot, rule, r, inOrder && scheduled, gap || !scheduled, out);
                }
                case WINDOW_SUM -> {
                    if (!status) {
                        windowSum(s, slot, rule, r, scheduled, out);
                    }
                }
            }
        }
        return out;
    }

    /** When the state needs {@link #onTimer} (event-time ms), or {@link Long#MIN_VALUE} for never. */
    public long nextTimer(SensorRuleState s) {
        return s.nextDeadline();
    }

    /**
     * Fires the timers due at {@code time} (the watermark passed it): a silent sensor goes offline.
     * The detection's time is the deadline itself, not {@code time}, so that its id does not depend on
     * when the watermark happened to advance.
     */
    public List<Detection> onTimer(SensorRuleState s, long time, RuleSet rules) {
        List<Detection> out = new ArrayList<>(0);
        SensorType type = s.sensorType();
        if (type == null) {
            return out;
        }
        for (Slot slot : s.slots) {
            if (slot.deadline == NONE || slot.deadline > time) {
                continue;
            }
            long due = slot.deadline;
            slot.deadline = NONE;
            Rule rule = rules.effective(type, slot.family, s.sensorId, s.gridCode, s.districtCode);
            if (rule == null || !rule.isEnabled() || rule.kind() != Rule.Kind.OFFLINE || slot.active
                    || (rule.schedule() != null && !rule.schedule().isActive(due))) {
                continue;
            }
            slot.active = true;
            slot.startedAt = s.lastTs;
            out.add(detection(s, rule, Detection.OFFLINE, sensorKey(s, rule), due, s.lastTs, null, 1.0, null, Double.NaN));
        }
        return out;
    }

    // ---- offline -----------------------------------------------------------------------------

    private static void offline(SensorRuleState s, Slot slot, Rule rule, Reading r, boolean inOrder, boolean status,
                                List<Detection> out) {
        boolean saysOffline = status && Boolean.FALSE.equals(r.online());
        if (saysOffline) {
            if (inOrder && !slot.active) {
                slot.active = true;
                slot.startedAt = r.ts();
                slot.deadline = NONE;
                out.add(detection(s, rule, Detection.OFFLINE, sensorKey(s, rule), r.ts(), r.ts(), null, 1.0, null, Double.NaN));
            }
            return;
        }
        if (slot.active) {
            slot.active = false;
            out.add(detection(s, rule, Detection.ONLINE, sensorKey(s, rule), r.ts(), slot.startedAt, null, 1.0, null, Double.NaN));
            slot.startedAt = NONE;
        }
        slot.deadline = s.lastTs + Math.round(rule.offline().factor() * s.intervalS * 1000.0);
    }

    // ---- threshold ---------------------------------------------------------------------------

    private static void threshold(SensorRuleState s, Slot slot, Rule rule, Reading r, List<Detection> out) {
        Rule.Threshold t = rule.threshold();
        slot.ensureRuns(t.raise().size(), t.clear().size());
        long ts = r.ts();
        Rule.Ladder ladder = t.severity();
        if (!slot.active) {
            int fired = advance(t.raise(), slot.raiseSince, r);
            if (fired < 0) {
                return;
            }
            slot.active = true;
            slot.startedAt = slot.raiseSince[fired];
            slot.resetRuns();
            String metric;
            if (ladder != null) {
                slot.severity = (byte) Math.max(0, ladder.levelOf(r.value(ladder.metric())));
                metric = ladder.metric();
            } else {
                metric = decisiveMetric(t.raise().get(fired), r);
            }
            double confidence = ts == slot.startedAt ? SINGLE_READING_CONFIDENCE : 1.0;
            out.add(detection(s, rule, Detection.RAISED, sensorKey(s, rule), ts, slot.startedAt,
                    severityName(ladder, slot.severity), confidence, metric, r.value(metric)));
            return;
        }
        int cleared = advance(t.clear(), slot.clearSince, r);
        if (cleared >= 0) {
            String metric = ladder != null ? ladder.metric() : t.clear().get(cleared).firstMetric();
            // started at: when the readings first showed the cause gone; the evidence spans the whole problem
            out.add(detection(s, rule, Detection.CLEARED, sensorKey(s, rule), ts, slot.clearSince[cleared],
                    severityName(ladder, slot.severity), 1.0, metric, r.value(metric), slot.startedAt));
            close(slot);
            return;
        }
        if (ladder != null) {
            int level = ladder.levelOf(r.value(ladder.metric()));
            if (level > slot.severity) {
                slot.severity = (byte) level;
                out.add(detection(s, rule, Detection.UPDATE, sensorKey(s, rule), ts, slot.startedAt,
                        severityName(ladder, slot.severity), 1.0, ladder.metric(), r.value(ladder.metric())));
            }
        }
    }

    /**
     * Advances the run of each alternative by one reading.
     *
     * @return the first alternative that has now held for its {@code for_s}, or -1
     */
    private static int advance(List<Rule.Hold> holds, long[] since, Reading r) {
        int fired = -1;
        for (int i = 0; i < holds.size(); i++) {
            Rule.Hold h = holds.get(i);
            int v = test(h, r);
            if (v == TRUE) {
                if (since[i] == NONE) {
                    since[i] = r.ts();
                }
                if (fired < 0 && r.ts() - since[i] >= h.forS() * 1000L) {
                    fired = i;
                }
            } else if (v == FALSE) {
                since[i] = NONE;
            }
        }
        return fired;
    }

    /** Three-valued: AND of {@code all} and OR of {@code any}; a missing metric is unknown. */
    private static int test(Rule.Hold h, Reading r) {
        int result = TRUE;
        for (Rule.Condition c : h.all()) {
            result = Math.min(result, test(c, r));
        }
        if (!h.any().isEmpty()) {
            int any = FALSE;
            for (Rule.Condition c : h.any()) {
                any = Math.max(any, test(c, r));
            }
            result = Math.min(result, any);
        }
        return result;
    }

    private static int test(Rule.Condition c, Reading r) {
        double v = r.value(c.metric());
        if (Double.isNaN(v)) {
            return UNKNOWN;
        }
        return c.op().test(v, c.value()) ? TRUE : FALSE;
    }

    /** The metric of the first condition that holds on this reading (what tipped it), else the first one. */
    private static String decisiveMetric(Rule.Hold h, Reading r) {
        for (Rule.Condition c : h.all()) {
            if (test(c, r) == TRUE) {
                return c.metric();
            }
        }
        for (Rule.Condition c : h.any()) {
            if (test(c, r) == TRUE) {
                return c.metric();
            }
        }
        return h.firstMetric();
    }

    private static void close(Slot slot) {
        slot.active = false;
        slot.severity = -1;
        slot.startedAt = NONE;
        slot.resetRuns();
    }

    // ---- rate --------------------------------------------------------------------------------

    private static void rate(SensorRuleState s, Slot slot, Rule rule, Reading r, boolean evaluate, boolean restart,
                             List<Detection> out) {
        Rule.Rate rt = rule.rate();
        slot.ensureRuns(1, 1);
        if (restart) {
            slot.resetRuns();
        }
        double v = r.value(rt.metric());
        long windowMs = rt.windowS() * 1000L;
        if (!Double.isNaN(v)) {
            insertSample(slot, r.ts(), (float) v, s.lastTs - windowMs);
        }
        if (!evaluate || Double.isNaN(v) || slot.ringSize < 2) {
            return;
        }
        long t0 = slot.ringTs[0];
        long tN = slot.ringTs[slot.ringSize - 1];
        if (tN - t0 < windowMs / 2) {
            return; // too short a baseline to call it a trend
        }
        double perMin = (slot.ringVal[slot.ringSize - 1] - slot.ringVal[0]) / ((tN - t0) / 60_000.0);
        long ts = r.ts();
        if (!slot.active) {
            if (rt.op().test(perMin, rt.value())) {
                if (slot.raiseSince[0] == NONE) {
                    slot.raiseSince[0] = ts;
                }
                if (ts - slot.raiseSince[0] >= rt.forS() * 1000L) {
                    slot.active = true;
                    slot.startedAt = slot.raiseSince[0];
                    slot.resetRuns();
                    double confidence = ts == slot.startedAt ? SINGLE_READING_CONFIDENCE : 1.0;
                    out.add(detection(s, rule, Detection.RAISED, sensorKey(s, rule), ts, slot.startedAt, null,
                            confidence, rt.metric(), v));
                }
            } else {
                slot.raiseSince[0] = NONE;
            }
        } else if (!rt.op().test(perMin, rt.clearValue())) {
            if (slot.clearSince[0] == NONE) {
                slot.clearSince[0] = ts;
            }
            if (ts - slot.clearSince[0] >= rt.clearForS() * 1000L) {
                out.add(detection(s, rule, Detection.CLEARED, sensorKey(s, rule), ts, slot.clearSince[0], null, 1.0,
                        rt.metric(), v, slot.startedAt));
                close(slot);
            }
        } else {
            slot.clearSince[0] = NONE;
        }
    }

    /** Inserts a sample in time order, dropping samples older than {@code horizon} and, when full, the oldest. */
    private static void insertSample(Slot slot, long ts, float v, long horizon) {
        if (slot.ringTs == null) {
            slot.ringTs = new long[Rule.Rate.MAX_SAMPLES];
            slot.ringVal = new float[Rule.Rate.MAX_SAMPLES];
            slot.ringSize = 0;
        }
        int drop = 0;
        while (drop < slot.ringSize && slot.ringTs[drop] < horizon) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(slot.ringTs, drop, slot.ringTs, 0, slot.ringSize - drop);
            System.arraycopy(slot.ringVal, drop, slot.ringVal, 0, slot.ringSize - drop);
            slot.ringSize -= drop;
        }
        if (ts < horizon) {
            return;
        }
        int at = slot.ringSize;
        while (at > 0 && slot.ringTs[at - 1] > ts) {
            at--;
        }
        if (at > 0 && slot.ringTs[at - 1] == ts) {
            slot.ringVal[at - 1] = v; // same instant: the later delivery wins
            return;
        }
        if (slot.ringSize == slot.ringTs.length) {
            if (at == 0) {
                return; // older than everything in a full ring
            }
            System.arraycopy(slot.ringTs, 1, slot.ringTs, 0, slot.ringSize - 1);
            System.arraycopy(slot.ringVal, 1, slot.ringVal, 0, slot.ringSize - 1);
            slot.ringSize--;
            at--;
        }
        System.arraycopy(slot.ringTs, at, slot.ringTs, at + 1, slot.ringSize - at);
        System.arraycopy(slot.ringVal, at, slot.ringVal, at + 1, slot.ringSize - at);
        slot.ringTs[at] = ts;
        slot.ringVal[at] = v;
        slot.ringSize++;
    }

    // ---- window sum --------------------------------------------------------------------------

    private static void windowSum(SensorRuleState s, Slot slot, Rule rule, Reading r, boolean scheduled,
                                  List<Detection> out) {
        Rule.WindowSum w = rule.windowSum();
        int n = Rule.WindowSum.BUCKETS;
        long bucketMs = w.windowS() * 1000L / n;
        if (slot.buckets == null || slot.buckets.length != n) {
            slot.buckets = new float[n];
            slot.headBucket = Math.floorDiv(s.lastTs, bucketMs);
        }
        long head = Math.floorDiv(s.lastTs, bucketMs);
        if (head > slot.headBucket) {
            long steps = Math.min(n, head - slot.headBucket);
            for (long k = 1; k <= steps; k++) {
                slot.buckets[(int) Math.floorMod(slot.headBucket + k, (long) n)] = 0f;
            }
            slot.headBucket = head;
        }
        double v = r.value(w.metric());
        long b = Math.floorDiv(r.ts(), bucketMs);
        if (!Double.isNaN(v) && b > slot.headBucket - n) {
            slot.buckets[(int) Math.floorMod(b, (long) n)] += (float) v;
        }
        if (!scheduled) {
            return;
        }
        double sum = 0;
        for (float x : slot.buckets) {
            sum += x;
        }
        long now = s.lastTs;
        String key = s.districtCode != null ? "district:" + s.districtCode + ":" + rule.ruleId() : sensorKey(s, rule);
        if (!slot.active && sum >= w.value()) {
            slot.active = true;
            slot.startedAt = now;
            out.add(detection(s, rule, Detection.WATCH, key, now, now, null, 1.0, w.metric(), sum,
                    now - w.windowS() * 1000L));
        } else if (slot.active && sum < w.clearBelow()) {
            out.add(detection(s, rule, Detection.CLEARED, key, now, slot.startedAt, null, 1.0, w.metric(), sum,
                    slot.startedAt - w.windowS() * 1000L));
            slot.active = false;
            slot.startedAt = NONE;
        }
    }

    // ---- detections --------------------------------------------------------------------------

    private static String sensorKey(SensorRuleState s, Rule rule) {
        return "sensor:" + s.sensorId + ":" + rule.family();
    }

    private static String severityName(Rule.Ladder ladder, int level) {
        return ladder == null || level < 0 ? null : ladder.levels().get(level).severity();
    }

    private static Detection detection(SensorRuleState s, Rule rule, String state, String problemKey, long ts,
                                       long startedAt, String severity, double confidence, String metric, double value) {
        return detection(s, rule, state, problemKey, ts, startedAt, severity, confidence, metric, value, startedAt);
    }

    private static Detection detection(SensorRuleState s, Rule rule, String state, String problemKey, long ts,
                                       long startedAt, String severity, double confidence, String metric, double value,
                                       long evidenceFrom) {
        Detection.Category category = null;
        Rule.CategorySpec c = rule.category();
        if (c != null) {
            String code = c.takesComponentCode() ? s.componentCode : c.code();
            category = code == null ? null : new Detection.Category(c.kind(), code);
        }
        String component = s.componentCode != null ? s.componentCode : rule.componentCode();
        ArrayList<Detection.Evidence> evidence = new ArrayList<>(1);
        long from = evidenceFrom == NONE ? ts : evidenceFrom;
        evidence.add(Detection.Evidence.sensorSeries(s.sensorId, from, ts));
        return new Detection(Detection.SCHEMA, s.sensorId + "/" + rule.ruleId() + "/" + ts + "/" + state,
                new Detection.Source("sensor", s.sensorId), rule.ruleId(), state, problemKey, category, component,
                rule.team(), severity, ts, startedAt == NONE ? ts : startedAt, confidence, s.lon, s.lat, s.gridCode,
                s.districtCode, metric, Double.isNaN(value) ? null : value, unitOf(metric), evidence);
    }

    /** The unit a metric name ends in: {@code _cm} cm, {@code _deg} °, {@code _pct} %, {@code _mm} mm, {@code _c} °C. */
    static String unitOf(String metric) {
        if (metric == null) {
            return null;
        }
        if (metric.endsWith("_cm")) {
            return "cm";
        } else if (metric.endsWith("_deg")) {
            return "°";
        } else if (metric.endsWith("_pct")) {
            return "%";
        } else if (metric.endsWith("_mm")) {
            return "mm";
        } else if (metric.endsWith("_c")) {
            return "°C";
        }
        return null;
    }
}
