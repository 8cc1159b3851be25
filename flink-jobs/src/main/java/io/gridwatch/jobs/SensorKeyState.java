package io.gridwatch.jobs;

import io.gridwatch.rules.SensorRuleState;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Everything the sensor rules operator keeps for one sensor, in one state entry: the rules' {@link SensorRuleState}
 * and the event-time timer the operator holds for it. One entry means one state look-up and one write per reading
 * (three look-ups with the timer apart; on the heap backend each is a hash probe into a map of every sensor, the
 * operator's largest cost). Kept as an object, not bytes: it is encoded only when Flink checkpoints or copies it.
 */
public final class SensorKeyState {

    final SensorRuleState rules;
    /** The event time of the timer registered for this sensor, or {@link SensorRuleState#NONE}. */
    long timer = SensorRuleState.NONE;

    SensorKeyState(SensorRuleState rules) {
        this.rules = rules;
    }

    /** Its Flink serializer: {@link SensorRuleState#writeTo} and the timer. */
    public static final class Serializer extends TypeSerializerSingleton<SensorKeyState> {
        private static final long serialVersionUID = 1L;
        static final Serializer INSTANCE = new Serializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public SensorKeyState createInstance() {
            return new SensorKeyState(new SensorRuleState());
        }

        @Override
        public SensorKeyState copy(SensorKeyState from) {
            SensorKeyState c = new SensorKeyState(from.rules.copy());
            c.timer = from.timer;
            return c;
        }

        @Override
        public SensorKeyState copy(SensorKeyState from, SensorKeyState reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        /**
         * Encodes into a buffer of the calling thread first, then writes that in one call: a checkpoint's stream costs
         * a call per write, and field by field the state's many small fields made encoding the largest part of a
         * checkpoint (bench/README.md). Per thread because the task thread and the checkpoint thread both serialize.
         */
        private static final ThreadLocal<DataOutputSerializer> BUFFER = ThreadLocal.withInitial(() -> new DataOutputSerializer(512));

        @Override
        public void serialize(SensorKeyState s, DataOutputView out) throws IOException {
            DataOutputSerializer buffer = BUFFER.get();
            buffer.clear();
            buffer.writeLong(s.timer);
            s.rules.writeTo(buffer);
            out.write(buffer.getSharedBuffer(), 0, buffer.length());
        }

        @Override
        public SensorKeyState deserialize(DataInputView in) throws IOException {
            long timer = in.readLong();
            SensorKeyState s = new SensorKeyState(SensorRuleState.readFrom(in));
            s.timer = timer;
            return s;
        }

        @Override
        public SensorKeyState deserialize(SensorKeyState reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<SensorKeyState> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the serializer from a snapshot; there is one format so far (that of {@link SensorRuleState#writeTo}). */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<SensorKeyState> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
