package io.gridwatch.rules;

import io.gridwatch.sensor.Reading;
import io.gridwatch.sensor.SensorType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * What {@link RuleEvaluator} remembers about one sensor: where it stands (from its newest reading, so
 * that a timer can describe it), the newest event time evaluated, the duplicate filter, and one
 * {@link Slot} per rule family in force. Plain fields and primitive arrays only; {@link #writeTo} is its
 * compact encoding (a few hundred bytes with the default rules; see {@code SensorRuleStateTest}), which the
 * rules operator's state serializer writes to checkpoints.
 *
 * <p>Mutable, and owned by one key of one operator: never share an instance between threads.
 */
public final class SensorRuleState implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    /** "no time": no run, no deadline, nothing evaluated yet. */
    public static final long NONE = Long.MIN_VALUE;
    /** 1: without the replay log (still read, from older checkpoints); 2: with it. */
    private static final byte FORMAT = 2;
    private static final byte FORMAT_WITHOUT_LOG = 1;
    private static final long[] NO_TIMES = new long[0];
    private static final double[] NO_VALUES = new double[0];
    /** How many sequence numbers below the highest one the duplicate filter remembers. */
    static final int SEQ_WINDOW = 64;

    String sensorId;
    byte type = -1;
    double lon;
    double lat;
    String gridCode;
    String districtCode;
    String componentCode;
    int intervalS = SensorType.DEFAULT_INTERVAL_S;
    /** the newest event time evaluated (readings are evaluated in event-time order) */
    long lastTs = NONE;
    boolean hasSeq;
    long seqHigh;
    /** bit i: sequence number {@code seqHigh - i} was seen */
    long seqBits;
    Slot[] slots = new Slot[0];

    // ---- the replay log: threshold rules are judged in event-time order (RuleEvaluator, "Order of events") ----
    /** the threshold slots as they stood after the reading at {@link #baseTs}, before the first logged reading */
    Slot[] baseSlots = new Slot[0];
    /** the time of the newest reading folded into {@link #baseSlots}, or NONE: a late reading older than it cannot be replayed */
    long baseTs = NONE;
    /** the logged telemetry readings after {@link #baseTs}, ascending by time: {@code logTs[i]} and {@link #logWidth} values */
    long[] logTs = NO_TIMES;
    double[] logValues = NO_VALUES;
    int logSize;
    /** values per logged reading: the metrics of the sensor's type, in {@code RuleEvaluator}'s order */
    int logWidth;

    public SensorRuleState() {
    }

    public String sensorId() {
        return sensorId;
    }

    /** The newest event time evaluated, or {@link #NONE}. */
    public long lastTs() {
        return lastTs;
    }

    SensorType sensorType() {
        return type < 0 ? null : SensorType.values()[type];
    }

    void updateContext(Reading r) {
        sensorId = r.sensorId();
        type = (byte) r.type().ordinal();
        lon = r.lon();
        lat = r.lat();
        gridCode = r.gridCode();
        districtCode = r.districtCode();
        componentCode = r.componentCode();
        intervalS = r.intervalS();
    }

    /**
     * Records {@code seq} and says whether it was seen before. Memory is bounded: the highest
     * sequence number and a bitmap of the {@value #SEQ_WINDOW} below it. A number further below is a
     * counter reset (the device restarted) when its reading is newer than anything evaluated, a repeat when the
     * replay log holds a reading of its time (or it is older than the log reaches), else a late reading.
     */
    boolean isDuplicate(Long seq, long ts) {
        if (seq == null) {
            return false;
        }
        long q = seq;
        if (!hasSeq || q > seqHigh) {
            long shift = hasSeq ? q - seqHigh : SEQ_WINDOW;
            seqBits = shift >= SEQ_WINDOW ? 1L : (seqBits << shift) | 1L;
            seqHigh = q;
            hasSeq = true;
            return false;
        }
        long d = seqHigh - q;
        if (d < SEQ_WINDOW) {
            long bit = 1L << d;
            boolean seen = (seqBits & bit) != 0;
            seqBits |= bit;
            return seen;
        }
        if (lastTs == NONE || ts > lastTs) {
            seqHigh = q;
            seqBits = 1L;
            return false;
        }
        // far below the window: a late reading (an hour of them may come after newer ones) unless the log holds its time
        return baseTs != NONE && ts <= baseTs || Arrays.binarySearch(logTs, 0, logSize, ts) >= 0;
    }

    /** The slot of a family, created (or reset, when the family changed kind) as needed. */
    Slot slot(String family, Rule.Kind kind) {
        for (Slot s : slots) {
            if (s.family.equals(family)) {
                if (s.kind != kind.ordinal()) {
                    s.reset();
                    s.kind = (byte) kind.ordinal();
                }
                return s;
            }
        }
        Slot s = new Slot(family, kind);
        slots = Arrays.copyOf(slots, slots.length + 1);
        slots[slots.length - 1] = s;
        return s;
    }

    Slot existingSlot(String family) {
        for (Slot s : slots) {
            if (s.family.equals(family)) {
                return s;
            }
        }
        return null;
    }

    /** Forgets the slots of families no longer in force for this sensor. */
    void retain(RuleSet.Family[] families, boolean[] inForce) {
        slots = retained(slots, families, inForce);
        baseSlots = retained(baseSlots, families, inForce);
    }

    private static Slot[] retained(Slot[] slots, RuleSet.Family[] families, boolean[] inForce) {
        int keep = 0;
        for (Slot s : slots) {
            for (int f = 0; f < families.length; f++) {
                if (inForce[f] && families[f].name().equals(s.family)) {
                    keep++;
                    break;
                }
            }
        }
        if (keep == slots.length) {
            return slots;
        }
        Slot[] kept = new Slot[keep];
        int k = 0;
        for (Slot s : slots) {
            for (int f = 0; f < families.length; f++) {
                if (inForce[f] && families[f].name().equals(s.family)) {
                    kept[k++] = s;
                    break;
                }
            }
        }
        return kept;
    }

    // ---- replay log ------------------------------------------------------------------------

    /** The number of readings in the replay log. */
    public int logSize() {
        return logSize;
    }

    /** The time of the newest logged reading (the previous reading of an in-order one), else {@link #baseTs}. */
    long logLastTs() {
        return logSize > 0 ? logTs[logSize - 1] : baseTs;
    }

    /** Empties the log and the base (e.g. when the sensor's type, and so the logged metrics, changed). */
    void logReset(int width) {
        baseSlots = new Slot[0];
        baseTs = NONE;
        logTs = NO_TIMES;
        logValues = NO_VALUES;
        logSize = 0;
        logWidth = width;
    }

    /**
     * Inserts a reading's values in time order (at the end for an in-order one); a reading of the same instant
     * replaces the logged one (the later delivery wins).
     *
     * @return its index in the log
     */
    int logInsert(long ts, double[] values) {
        int at = logSize;
        while (at > 0 && logTs[at - 1] > ts) {
            at--;
        }
        if (at > 0 && logTs[at - 1] == ts) {
            System.arraycopy(values, 0, logValues, (at - 1) * logWidth, logWidth);
            return at - 1;
        }
        if (logSize == logTs.length) {
            int capacity = Math.max(8, logSize * 2);
            logTs = Arrays.copyOf(logTs, capacity);
            logValues = Arrays.copyOf(logValues, capacity * logWidth);
        }
        System.arraycopy(logTs, at, logTs, at + 1, logSize - at);
        System.arraycopy(logValues, at * logWidth, logValues, (at + 1) * logWidth, (logSize - at) * logWidth);
        logTs[at] = ts;
        System.arraycopy(values, 0, logValues, at * logWidth, logWidth);
        logSize++;
        return at;
    }

    /** Drops the oldest logged reading (after it was folded into the base). */
    void logRemoveFirst() {
        System.arraycopy(logTs, 1, logTs, 0, logSize - 1);
        System.arraycopy(logValues, logWidth, logValues, 0, (logSize - 1) * logWidth);
        logSize--;
        if (logSize < logTs.length / 4 && logTs.length > 8) {
            logTs = Arrays.copyOf(logTs, Math.max(8, logTs.length / 2));
            logValues = Arrays.copyOf(logValues, logTs.length * logWidth);
        }
    }

    /** The threshold slot of a family in the base, created as needed. */
    Slot baseSlot(String family, Rule.Kind kind) {
        for (Slot b : baseSlots) {
            if (b.family.equals(family)) {
                if (b.kind != kind.ordinal()) {
                    b.reset();
                    b.kind = (byte) kind.ordinal();
                }
                return b;
            }
        }
        Slot b = new Slot(family, kind);
        baseSlots = Arrays.copyOf(baseSlots, baseSlots.length + 1);
        baseSlots[baseSlots.length - 1] = b;
        return b;
    }

    /** Replaces the live slot of a family (or adds it) with a replayed one. */
    void putSlot(Slot replayed) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].family.equals(replayed.family)) {
                slots[i] = replayed;
                return;
            }
        }
        slots = Arrays.copyOf(slots, slots.length + 1);
        slots[slots.length - 1] = replayed;
    }

    /** The earliest timer any slot needs (event-time ms), or {@link #NONE}. */
    long nextDeadline() {
        long min = NONE;
        for (Slot s : slots) {
            if (s.deadline != NONE && (min == NONE || s.deadline < min)) {
                min = s.deadline;
            }
        }
        return min;
    }

    /**
     * The state of one rule family for this sensor. Which fields are used depends on the kind:
     * threshold (runs, severity), rate (runs, sample ring), window sum (buckets), offline (deadline).
     */
    static final class Slot implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        String family;
        byte kind;
        /** a case (or watch, or offline spell) is open */
        boolean active;
        /** index into the severity ladder, -1 for none */
        byte severity = -1;
        long startedAt = NONE;
        /** for each raise alternative: the event time its current run began, or NONE */
        long[] raiseSince;
        /** for each clear alternative: the event time its current run began, or NONE */
        long[] clearSince;
        /** offline: when to declare the sensor offline, or NONE */
        long deadline = NONE;
        /** rate: recent samples, ascending by time */
        long[] ringTs;
        float[] ringVal;
        int ringSize;
        /** window sum: per-bucket sums, circular, and the index of the newest bucket */
        float[] buckets;
        long headBucket = NONE;

        Slot(String family, Rule.Kind kind) {
            this.family = family;
            this.kind = (byte) kind.ordinal();
        }

        void reset() {
            active = false;
            severity = -1;
            startedAt = NONE;
            raiseSince = null;
            clearSince = null;
            deadline = NONE;
            ringTs = null;
            ringVal = null;
            ringSize = 0;
            buckets = null;
            headBucket = NONE;
        }

        /** A deep copy, sharing no array with this one. */
        Slot copy() {
            Slot c = new Slot(family, Rule.Kind.THRESHOLD);
            c.kind = kind;
            c.active = active;
            c.severity = severity;
            c.startedAt = startedAt;
            c.raiseSince = raiseSince == null ? null : raiseSince.clone();
            c.clearSince = clearSince == null ? null : clearSince.clone();
            c.deadline = deadline;
            c.ringTs = ringTs == null ? null : ringTs.clone();
            c.ringVal = ringVal == null ? null : ringVal.clone();
            c.ringSize = ringSize;
            c.buckets = buckets == null ? null : buckets.clone();
            c.headBucket = headBucket;
            return c;
        }

        /** Sizes the run arrays for a rule; a changed number of alternatives restarts the runs. */
        void ensureRuns(int raise, int clear) {
            if (raiseSince == null || raiseSince.length != raise) {
                raiseSince = new long[raise];
                Arrays.fill(raiseSince, NONE);
            }
            if (clearSince == null || clearSince.length != clear) {
                clearSince = new long[clear];
                Arrays.fill(clearSince, NONE);
            }
        }

        void resetRuns() {
            if (raiseSince != null) {
                Arrays.fill(raiseSince, NONE);
            }
            if (clearSince != null) {
                Arrays.fill(clearSince, NONE);
            }
        }
    }

    // ---- compact encoding ------------------------------------------------------------------

    /** The compact encoding of {@link #writeTo} as bytes. */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            writeTo(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what {@link #toBytes()} wrote. */
    public static SensorRuleState fromBytes(byte[] data) {
        try {
            return readFrom(new DataInputStream(new ByteArrayInputStream(data)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A deep copy, sharing nothing mutable with this one. Field by field rather than through {@link #toBytes()}: Flink's
     * heap state backend copies an entry that changes while a checkpoint is written, and the log made the bytes dear.
     */
    public SensorRuleState copy() {
        SensorRuleState c = new SensorRuleState();
        c.sensorId = sensorId;
        c.type = type;
        c.lon = lon;
        c.lat = lat;
        c.gridCode = gridCode;
        c.districtCode = districtCode;
        c.componentCode = componentCode;
        c.intervalS = intervalS;
        c.lastTs = lastTs;
        c.hasSeq = hasSeq;
        c.seqHigh = seqHigh;
        c.seqBits = seqBits;
        c.slots = copyOf(slots);
        c.baseSlots = copyOf(baseSlots);
        c.baseTs = baseTs;
        c.logTs = Arrays.copyOf(logTs, logSize);
        c.logValues = Arrays.copyOf(logValues, logSize * logWidth);
        c.logSize = logSize;
        c.logWidth = logWidth;
        return c;
    }

    private static Slot[] copyOf(Slot[] slots) {
        Slot[] c = new Slot[slots.length];
        for (int i = 0; i < slots.length; i++) {
            c[i] = slots[i].copy();
        }
        return c;
    }

    /** A compact encoding (a few hundred bytes with the default rules), e.g. for a Flink state serializer. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        writeString(out, sensorId);
        out.writeByte(type);
        out.writeDouble(lon);
        out.writeDouble(lat);
        writeString(out, gridCode);
        writeString(out, districtCode);
        writeString(out, componentCode);
        out.writeInt(intervalS);
        out.writeLong(lastTs);
        out.writeBoolean(hasSeq);
        if (hasSeq) {
            out.writeLong(seqHigh);
            out.writeLong(seqBits);
        }
        writeSlots(out, slots);
        writeSlots(out, baseSlots);
        out.writeLong(baseTs);
        out.writeByte(logWidth);
        out.writeShort(logSize);
        if (logSize > 0) {
            out.writeLong(logTs[0]);
            for (int i = 1; i < logSize; i++) {
                out.writeInt(Math.toIntExact(logTs[i] - logTs[i - 1])); // the log spans at most the lateness bound
            }
            for (int i = 0; i < logSize * logWidth; i++) {
                out.writeDouble(logValues[i]);
            }
        }
    }

    private static void writeSlots(DataOutput out, Slot[] slots) throws IOException {
        out.writeByte(slots.length);
        for (Slot s : slots) {
            out.writeUTF(s.family);
            out.writeByte(s.kind);
            out.writeBoolean(s.active);
            out.writeByte(s.severity);
            out.writeLong(s.startedAt);
            out.writeLong(s.deadline);
            writeLongs(out, s.raiseSince);
            writeLongs(out, s.clearSince);
            out.writeByte(s.ringTs == null ? -1 : s.ringTs.length);
            if (s.ringTs != null) {
                out.writeByte(s.ringSize);
                for (int i = 0; i < s.ringSize; i++) {
                    out.writeLong(s.ringTs[i]);
                    out.writeFloat(s.ringVal[i]);
                }
            }
            out.writeBoolean(s.buckets != null);
            if (s.buckets != null) {
                out.writeLong(s.headBucket);
                out.writeByte(s.buckets.length);
                long nonZero = 0; // bitmap of non-empty buckets: dry hours cost 8 bytes
                for (int i = 0; i < s.buckets.length; i++) {
                    if (s.buckets[i] != 0f) {
                        nonZero |= 1L << i;
                    }
                }
                out.writeLong(nonZero);
                for (float b : s.buckets) {
                    if (b != 0f) {
                        out.writeFloat(b);
                    }
                }
            }
        }
    }

    /** Reads what {@link #writeTo} wrote. */
    public static SensorRuleState readFrom(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT && format != FORMAT_WITHOUT_LOG) {
            throw new IllegalArgumentException("unknown sensor rule state format " + format);
        }
        SensorRuleState st = new SensorRuleState();
        st.sensorId = readString(in);
        st.type = in.readByte();
        st.lon = in.readDouble();
        st.lat = in.readDouble();
        st.gridCode = readString(in);
        st.districtCode = readString(in);
        st.componentCode = readString(in);
        st.intervalS = in.readInt();
        st.lastTs = in.readLong();
        st.hasSeq = in.readBoolean();
        if (st.hasSeq) {
            st.seqHigh = in.readLong();
            st.seqBits = in.readLong();
        }
        st.slots = readSlots(in);
        if (format == FORMAT) {
            st.baseSlots = readSlots(in);
            st.baseTs = in.readLong();
            st.logWidth = in.readUnsignedByte();
            int n = in.readUnsignedShort();
            if (n > 0) {
                st.logTs = new long[n];
                st.logValues = new double[n * st.logWidth];
                st.logTs[0] = in.readLong();
                for (int i = 1; i < n; i++) {
                    st.logTs[i] = st.logTs[i - 1] + in.readInt();
                }
                for (int i = 0; i < n * st.logWidth; i++) {
                    st.logValues[i] = in.readDouble();
                }
                st.logSize = n;
            }
        }
        return st;
    }

    private static Slot[] readSlots(DataInput in) throws IOException {
        int n = in.readUnsignedByte();
        Slot[] slots = new Slot[n];
        for (int k = 0; k < n; k++) {
            Slot s = new Slot(in.readUTF(), Rule.Kind.THRESHOLD);
            s.kind = in.readByte();
            s.active = in.readBoolean();
            s.severity = in.readByte();
            s.startedAt = in.readLong();
            s.deadline = in.readLong();
            s.raiseSince = readLongs(in);
            s.clearSince = readLongs(in);
            int capacity = in.readByte();
            if (capacity >= 0) {
                s.ringTs = new long[capacity];
                s.ringVal = new float[capacity];
                s.ringSize = in.readUnsignedByte();
                for (int i = 0; i < s.ringSize; i++) {
                    s.ringTs[i] = in.readLong();
                    s.ringVal[i] = in.readFloat();
                }
            }
            if (in.readBoolean()) {
                s.headBucket = in.readLong();
                s.buckets = new float[in.readUnsignedByte()];
                long nonZero = in.readLong();
                for (int i = 0; i < s.buckets.length; i++) {
                    if ((nonZero & (1L << i)) != 0) {
                        s.buckets[i] = in.readFloat();
                    }
                }
            }
            slots[k] = s;
        }
        return slots;
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeLongs(DataOutput out, long[] a) throws IOException {
        out.writeByte(a == null ? -1 : a.length);
        if (a != null) {
            for (long v : a) {
                out.writeLong(v);
            }
        }
    }

    private static long[] readLongs(DataInput in) throws IOException {
        int n = in.readByte();
        if (n < 0) {
            return null;
        }
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readLong();
        }
        return a;
    }
}
