package io.gridwatch.rules;

import io.gridwatch.cases.Severity;
import io.gridwatch.catalogue.CatalogueClass;
import io.gridwatch.detection.Detection;
import io.gridwatch.detection.Detection.State;
import io.gridwatch.rules.RuleSet.Family;
import io.gridwatch.rules.SensorRuleState.Slot;
import io.gridwatch.sensor.Measurement;
import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static io.gridwatch.rules.SensorRuleState.NONE;

/**
 * Evaluates the rules of a {@link RuleSet} over the readings of one sensor, keeping what it needs in
 * a {@link SensorRuleState}; emits {@link Detection}s. Flink-free: the sensor rules operator keys by
 * sensor, keeps the state (as bytes), and registers {@link #nextTimer} as an event-time timer.
 *
 * <h2>Order of events</h2>
 * Threshold rules (holds, gaps, clears, severity) are judged in <b>event-time order</b>. A telemetry reading newer
 * than the sensor's newest one is evaluated at once (the fast path: an alert follows the very reading that
 * completes a condition). Every telemetry reading is also kept, for the lateness bound (an hour by default,
 * CONTRACTS.md §1), in the sensor's replay log ({@link SensorRuleState}): the values of its type's metrics and the
 * threshold state as it stood before the oldest logged reading. A <em>late</em> reading is inserted in time order
 * and the log replayed, giving the state and the detections that sorted arrival would have given; what differs
 * from what was already emitted is sent as corrections (修正), so that the cases end up as in sorted order:
 * <ul>
 * <li>an episode (raise … clear) that only now appears: its detections as usual ({@code raised}, {@code update},
 * {@code cleared});</li>
 * <li>the latest episode changed (it began later or earlier, its severity differs, it cleared at another time, it
 * did not clear after all): one {@code revised} detection with the corrected start, severity and end;</li>
 * <li>the latest episode vanished (a late low reading broke the hold that raised it): {@code retracted}.</li>
 * </ul>
 * Episodes are matched in time (one sent that overlaps one of sorted arrival is corrected to it); a correction names the start it was sent with
 * ({@link Detection#revises()}), which is how the cases job finds the case (its recent ones are kept). The log holds at most
 * {@value #LOG_BUDGET_BYTES} bytes of readings (an hour of a sensor reporting every 30 s with two metrics): for a
 * sensor that reports faster, a reading later than the log reaches, or older than the lateness bound, is not used
 * for thresholds. Rate rules and window sums take late readings in their own way (a rate rule's samples are kept
 * in time order, a window sum adds a reading to its time bucket); a late reading is a sign of life as well.
 * A replay applies the rules in force now to the logged hour.
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

    /** Readings may arrive this late and are still judged in event-time order (CONTRACTS.md §1). */
    public static final Duration DEFAULT_LATENESS = Duration.ofHours(1);
    /** The most bytes the replay log of one sensor takes when encoded (its readings; the state around it adds ~0.5 KB). */
    public static final int LOG_BUDGET_BYTES = 3_000;

    private static final int FALSE = 0;
    private static final int UNKNOWN = 1;
    private static final int TRUE = 2;
    /** Each type's metrics, in the order the replay log keeps their values. */
    private static final Map<SensorType, String[]> LOGGED_METRICS = new EnumMap<>(SensorType.class);

    static {
        for (SensorType t : SensorType.values()) {
            LOGGED_METRICS.put(t, t.metrics().keySet().stream().sorted().toArray(String[]::new));
        }
    }

    private final long latenessMs;

    /** An evaluator with the contract's lateness bound, {@link #DEFAULT_LATENESS}. */
    public RuleEvaluator() {
        this(DEFAULT_LATENESS);
    }

    /** @param lateness how late a reading may arrive and still be judged in order: more than 0, at most a day */
    public RuleEvaluator(Duration lateness) {
        Objects.requireNonNull(lateness, "lateness");
        if (lateness.isNegative() || lateness.isZero() || lateness.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("lateness must be more than 0 and at most a day, got " + lateness);
        }
        this.latenessMs = lateness.toMillis();
    }

    /** How many readings a sensor's replay log holds at most, for a type with {@code width} metrics. */
    public static int logCapacity(int width) {
        return LOG_BUDGET_BYTES / (4 + 8 * width);
    }

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
        String[] metrics = LOGGED_METRICS.get(r.type());
        if (s.logWidth != metrics.length) {
            s.logReset(metrics.length);
        }
        long previousTelemetry = s.logLastTs();
        // threshold rules: at once when newer than every logged reading, else by replaying the log
        boolean fastPath = !status && (previousTelemetry == NONE || r.ts() > previousTelemetry);

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
                    if (fastPath) {
                        thresholdStep(s, slot, rule, r, gap(previousTelemetry, r.ts(), s.intervalS), out);
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
        if (fastPath) {
            if (hasThreshold(inForce, chosen)) { // a rain gauge's window sum needs no log
                s.logInsert(r.ts(), loggedValues(r, metrics));
                fold(s, families, inForce, chosen, metrics);
            }
        } else if (!status && (s.baseTs == NONE || r.ts() > s.baseTs)) {
            out.addAll(replayLate(s, r, families, inForce, chosen, metrics));
        }
        return out;
    }

    // ---- event-time order: the replay log ------------------------------------------------------

    private static boolean hasThreshold(boolean[] inForce, Rule[] chosen) {
        for (int f = 0; f < chosen.length; f++) {
            if (inForce[f] && chosen[f].kind() == Rule.Kind.THRESHOLD) {
                return true;
            }
        }
        return false;
    }

    private static boolean gap(long previous, long ts, int intervalS) {
        return previous != NONE && ts - previous > MAX_GAP_INTERVALS * 1000L * intervalS;
    }

    private static double[] loggedValues(Reading r, String[] metrics) {
        double[] v = new double[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            v[i] = r.value(metrics[i]);
        }
        return v;
    }

    /** One step of a threshold rule: a gap or the schedule restarts the runs, then the reading is judged. */
    private static void thresholdStep(SensorRuleState s, Slot slot, Rule rule, Measurement r, boolean gap, List<Detection> out) {
        boolean scheduled = rule.schedule() == null || rule.schedule().isActive(r.ts());
        if (!scheduled || gap) {
            slot.ensureRuns(rule.threshold().raise().size(), rule.threshold().clear().size());
            slot.resetRuns();
        }
        if (scheduled) {
            threshold(s, slot, rule, r, out);
        }
    }

    /**
     * Folds the readings that left the lateness bound (or exceed the log's capacity) into the base: the base is the
     * threshold state before the oldest logged reading, where every replay starts.
     */
    private void fold(SensorRuleState s, Family[] families, boolean[] inForce, Rule[] chosen, String[] metrics) {
        int capacity = logCapacity(metrics.length);
        Logged m = new Logged(s, metrics);
        List<Detection> alreadySent = new ArrayList<>(0);
        while (s.logSize > 0 && (s.logLastTs() - s.logTs[0] > latenessMs || s.logSize > capacity)) {
            m.at(0);
            boolean gap = gap(s.baseTs, m.ts(), s.intervalS);
            for (int f = 0; f < families.length; f++) {
                if (inForce[f] && chosen[f].kind() == Rule.Kind.THRESHOLD) {
                    thresholdStep(s, s.baseSlot(families[f].name(), Rule.Kind.THRESHOLD), chosen[f], m, gap, alreadySent);
                }
            }
            alreadySent.clear();
            s.baseTs = m.ts();
            s.logRemoveFirst();
        }
    }

    /** The threshold slots and detections of replaying the whole log from the base. */
    private record Replay(Slot[] slots, List<Detection> detections) {
    }

    private Replay replay(SensorRuleState s, Family[] families, boolean[] inForce, Rule[] chosen, String[] metrics) {
        Slot[] slots = new Slot[families.length];
        for (int f = 0; f < families.length; f++) {
            if (inForce[f] && chosen[f].kind() == Rule.Kind.THRESHOLD) {
                Slot base = null;
                for (Slot b : s.baseSlots) {
                    if (b.family.equals(families[f].name()) && b.kind == Rule.Kind.THRESHOLD.ordinal()) {
                        base = b;
                    }
                }
                slots[f] = base != null ? base.copy() : new Slot(families[f].name(), Rule.Kind.THRESHOLD);
            }
        }
        List<Detection> out = new ArrayList<>();
        Logged m = new Logged(s, metrics);
        long previous = s.baseTs;
        for (int i = 0; i < s.logSize; i++) {
            m.at(i);
            boolean gap = gap(previous, m.ts(), s.intervalS);
            for (int f = 0; f < families.length; f++) {
                if (slots[f] != null) {
                    thresholdStep(s, slots[f], chosen[f], m, gap, out);
                }
            }
            previous = m.ts();
        }
        return new Replay(slots, out);
    }

    /**
     * A late reading: replays the log without it and with it, keeps the state of sorted arrival, and returns the
     * corrections that bring what was sent in line with it.
     */
    private List<Detection> replayLate(SensorRuleState s, Reading r, Family[] families, boolean[] inForce, Rule[] chosen,
                                       String[] metrics) {
        Replay before = replay(s, families, inForce, chosen, metrics);
        s.logInsert(r.ts(), loggedValues(r, metrics));
        Replay after = replay(s, families, inForce, chosen, metrics);
        List<Detection> out = new ArrayList<>(0);
        for (int f = 0; f < families.length; f++) {
            if (after.slots()[f] == null) {
                continue;
            }
            s.putSlot(after.slots()[f]);
            Rule rule = chosen[f];
            Slot base = null;
            for (Slot b : s.baseSlots) {
                if (b.family.equals(families[f].name())) {
                    base = b;
                }
            }
            String key = sensorKey(s, rule);
            reconcile(s, rule, episodes(base, rule, before.detections(), key), episodes(base, rule, after.detections(), key), out);
        }
        return out;
    }

    /** One raise … clear of a threshold rule, as a replay saw it. */
    private static final class Episode {
        final List<Detection> detections = new ArrayList<>(2);
        String raisedId;
        long startedAt;
        Severity severity;
        Detection cleared;
        double confidence = 1.0;

        boolean sameAs(Episode o) {
            return Objects.equals(raisedId, o.raisedId) && startedAt == o.startedAt && Objects.equals(severity, o.severity)
                    && Objects.equals(cleared == null ? null : cleared.detectionId(), o.cleared == null ? null : o.cleared.detectionId())
                    && (cleared == null || cleared.startedAt() == o.cleared.startedAt());
        }

        Detection last() {
            return detections.isEmpty() ? null : detections.get(detections.size() - 1);
        }

        /** When the readings first showed the cause gone, or never (still open). */
        long end() {
            return cleared == null ? Long.MAX_VALUE : cleared.startedAt();
        }
    }

    /** The episodes of one rule in a replay's detections; one open at the base comes first. */
    private static List<Episode> episodes(Slot base, Rule rule, List<Detection> detections, String key) {
        List<Episode> list = new ArrayList<>(2);
        Episode current = null;
        if (base != null && base.active) {
            current = new Episode();
            current.startedAt = base.startedAt;
            current.severity = severityName(rule.threshold().severity(), base.severity);
            list.add(current);
        }
        for (Detection d : detections) {
            if (!key.equals(d.problemKey())) {
                continue;
            }
            switch (d.state()) {
                case RAISED -> {
                    current = new Episode();
                    current.raisedId = d.detectionId();
                    current.startedAt = d.startedAt();
                    current.severity = d.severity();
                    current.confidence = d.confidence();
                    list.add(current);
                }
                case UPDATE -> current.severity = d.severity();
                case CLEARED -> current.cleared = d;
                default -> {
                    continue;
                }
            }
            current.detections.add(d);
        }
        return list;
    }

    /**
     * Compares the episodes already sent with those of sorted arrival: the common beginning stays; what follows is
     * sent as new detections, a {@code revised} of the latest case, or its {@code retracted}.
     */
    private static void reconcile(SensorRuleState s, Rule rule, List<Episode> sent, List<Episode> sorted, List<Detection> out) {
        int same = 0;
        while (same < sent.size() && same < sorted.size() && sent.get(same).sameAs(sorted.get(same))) {
            same++;
        }
        // walk both in time: an episode sent that overlaps (or comes after) the next one of sorted arrival is corrected
        // to it; one that ends before it never was; what is left of sorted arrival is new
        int i = same;
        int j = same;
        while (i < sent.size() && j < sorted.size()) {
            Episode a = sent.get(i);
            Episode b = sorted.get(j);
            if (a.sameAs(b)) {
                i++;
                j++;
            } else if (a.end() <= b.startedAt) {
                out.add(retracted(s, rule, a));
                i++;
            } else {
                out.add(revised(s, rule, b, a.startedAt));
                i++;
                j++;
            }
        }
        for (; i < sent.size(); i++) {
            out.add(retracted(s, rule, sent.get(i)));
        }
        for (; j < sorted.size(); j++) {
            out.addAll(sorted.get(j).detections);
        }
    }

    private static Detection revised(SensorRuleState s, Rule rule, Episode e, long revises) {
        Detection last = e.last();
        long ts = last != null ? last.ts() : s.logLastTs();
        Long endedAt = e.cleared == null ? null : e.cleared.startedAt();
        Rule.Ladder ladder = rule.threshold().severity();
        String metric = last != null ? last.metric() : ladder != null ? ladder.metric() : rule.threshold().raise().get(0).firstMetric();
        double value = last != null && last.value() != null ? last.value() : Double.NaN;
        return detection(s, rule, State.REVISED, sensorKey(s, rule), ts, e.startedAt, e.severity, e.confidence, metric, value,
                e.startedAt, "/" + revises + "/" + e.startedAt + "/" + e.severity + "/" + (endedAt == null ? "open" : endedAt), endedAt,
                revises);
    }

    private static Detection retracted(SensorRuleState s, Rule rule, Episode e) {
        long ts = e.detections.isEmpty() ? s.logLastTs() : e.detections.get(0).ts();
        Detection first = e.detections.isEmpty() ? null : e.detections.get(0);
        return detection(s, rule, State.RETRACTED, sensorKey(s, rule), ts, e.startedAt, e.severity, e.confidence,
                first == null ? null : first.metric(), first == null || first.value() == null ? Double.NaN : first.value(),
                e.startedAt, "/" + e.startedAt, null, e.startedAt);
    }

    /** A logged reading seen as a {@link Measurement}: a cursor over the log, moved with {@link #at}. */
    private static final class Logged implements Measurement {
        private final SensorRuleState s;
        private final String[] metrics;
        private int index;

        Logged(SensorRuleState s, String[] metrics) {
            this.s = s;
            this.metrics = metrics;
        }

        void at(int i) {
            index = i;
        }

        @Override
        public long ts() {
            return s.logTs[index];
        }

        @Override
        public double value(String metric) {
            for (int k = 0; k < metrics.length; k++) {
                if (metrics[k].equals(metric)) {
                    return s.logValues[index * s.logWidth + k];
                }
            }
            return Double.NaN;
        }
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
            out.add(detection(s, rule, State.OFFLINE, sensorKey(s, rule), due, s.lastTs, null, 1.0, null, Double.NaN));
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
                out.add(detection(s, rule, State.OFFLINE, sensorKey(s, rule), r.ts(), r.ts(), null, 1.0, null, Double.NaN));
            }
            return;
        }
        if (slot.active) {
            slot.active = false;
            out.add(detection(s, rule, State.ONLINE, sensorKey(s, rule), r.ts(), slot.startedAt, null, 1.0, null, Double.NaN));
            slot.startedAt = NONE;
        }
        slot.deadline = s.lastTs + Math.round(rule.offline().factor() * s.intervalS * 1000.0);
    }

    // ---- threshold ---------------------------------------------------------------------------

    private static void threshold(SensorRuleState s, Slot slot, Rule rule, Measurement r, List<Detection> out) {
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
            out.add(detection(s, rule, State.RAISED, sensorKey(s, rule), ts, slot.startedAt,
                    severityName(ladder, slot.severity), confidence, metric, r.value(metric)));
            return;
        }
        int cleared = advance(t.clear(), slot.clearSince, r);
        if (cleared >= 0) {
            String metric = ladder != null ? ladder.metric() : t.clear().get(cleared).firstMetric();
            // started at: when the readings first showed the cause gone; the evidence spans the whole problem
            out.add(detection(s, rule, State.CLEARED, sensorKey(s, rule), ts, slot.clearSince[cleared],
                    severityName(ladder, slot.severity), 1.0, metric, r.value(metric), slot.startedAt));
            close(slot);
            return;
        }
        if (ladder != null) {
            int level = ladder.levelOf(r.value(ladder.metric()));
            if (level > slot.severity) {
                slot.severity = (byte) level;
                out.add(detection(s, rule, State.UPDATE, sensorKey(s, rule), ts, slot.startedAt,
                        severityName(ladder, slot.severity), 1.0, ladder.metric(), r.value(ladder.metric())));
            }
        }
    }

    /**
     * Advances the run of each alternative by one reading.
     *
     * @return the first alternative that has now held for its {@code for_s}, or -1
     */
    private static int advance(List<Rule.Hold> holds, long[] since, Measurement r) {
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
    private static int test(Rule.Hold h, Measurement r) {
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

    private static int test(Rule.Condition c, Measurement r) {
        double v = r.value(c.metric());
        if (Double.isNaN(v)) {
            return UNKNOWN;
        }
        return c.op().test(v, c.value()) ? TRUE : FALSE;
    }

    /** The metric of the first condition that holds on this reading (what tipped it), else the first one. */
    private static String decisiveMetric(Rule.Hold h, Measurement r) {
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
                    out.add(detection(s, rule, State.RAISED, sensorKey(s, rule), ts, slot.startedAt, null,
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
                out.add(detection(s, rule, State.CLEARED, sensorKey(s, rule), ts, slot.clearSince[0], null, 1.0,
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
            out.add(detection(s, rule, State.WATCH, key, now, now, null, 1.0, w.metric(), sum,
                    now - w.windowS() * 1000L));
        } else if (slot.active && sum < w.clearBelow()) {
            out.add(detection(s, rule, State.CLEARED, key, now, slot.startedAt, null, 1.0, w.metric(), sum,
                    slot.startedAt - w.windowS() * 1000L));
            slot.active = false;
            slot.startedAt = NONE;
        }
    }

    // ---- detections --------------------------------------------------------------------------

    private static String sensorKey(SensorRuleState s, Rule rule) {
        return "sensor:" + s.sensorId + ":" + rule.family();
    }

    private static Severity severityName(Rule.Ladder ladder, int level) {
        return ladder == null || level < 0 ? null : ladder.levels().get(level).severity();
    }

    private static Detection detection(SensorRuleState s, Rule rule, State state, String problemKey, long ts,
                                       long startedAt, Severity severity, double confidence, String metric, double value) {
        return detection(s, rule, state, problemKey, ts, startedAt, severity, confidence, metric, value, startedAt);
    }

    private static Detection detection(SensorRuleState s, Rule rule, State state, String problemKey, long ts,
                                       long startedAt, Severity severity, double confidence, String metric, double value,
                                       long evidenceFrom) {
        return detection(s, rule, state, problemKey, ts, startedAt, severity, confidence, metric, value, evidenceFrom, "", null, null);
    }

    /** @param idSuffix added to the id ({@code <sensor>/<rule_id>/<ts>/<state>}) where a state may recur at one time */
    private static Detection detection(SensorRuleState s, Rule rule, State state, String problemKey, long ts,
                                       long startedAt, Severity severity, double confidence, String metric, double value,
                                       long evidenceFrom, String idSuffix, Long endedAt, Long revises) {
        Detection.Category category = null;
        Rule.CategorySpec c = rule.category();
        if (c != null) {
            String code = c.takesComponentCode() ? s.componentCode : c.code();
            category = code == null ? null : new Detection.Category(CatalogueClass.Kind.of(c.kind()), code);
        }
        String component = s.componentCode != null ? s.componentCode : rule.componentCode();
        ArrayList<Detection.Evidence> evidence = new ArrayList<>(1);
        long from = evidenceFrom == NONE ? ts : evidenceFrom;
        evidence.add(Detection.Evidence.sensorSeries(s.sensorId, from, ts));
        return new Detection(Detection.SCHEMA, s.sensorId + "/" + rule.ruleId() + "/" + ts + "/" + state.id() + idSuffix,
                Detection.Source.sensor(s.sensorId), rule.ruleId(), state, problemKey, category, component,
                rule.team(), severity, ts, startedAt == NONE ? ts : startedAt, confidence, s.lon, s.lat, s.gridCode,
                s.districtCode, metric, Double.isNaN(value) ? null : value, unitOf(metric), evidence, endedAt, revises);
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
