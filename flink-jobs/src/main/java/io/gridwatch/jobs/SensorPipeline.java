package io.gridwatch.jobs;

import io.gridwatch.cases.Alert;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.detection.Detection;
import io.gridwatch.rules.RuleEvaluator;
import io.gridwatch.sensor.Reading;
import io.gridwatch.video.Observation;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sensor pipeline as a function of its inputs and outputs (PRACTICES.md 1): readings and rule
 * changes in; detections, case messages and alerts out. {@link SensorPipelineJob} plugs in Kafka,
 * PostgreSQL and MQTT; tests may plug in what they like.
 *
 * <pre>
 * readings ─keyBy(sensor)─► sensor rules (+ broadcast rules) ─► detections ──────────────────────────┐
 * frames ──keyBy(camera)─► video detection (+ broadcast rules) ─► evidence rendering (async I/O) ─► detections ┴ union ─┬─► detections sinks
 *                        └─► observations sinks (gw.observations.v1)                                   └─keyBy(district)─► cases ─► case sinks
 *                                                                                                                              └─► alert sinks
 * </pre>
 * The video branch is there when {@link Video} frames are given ({@link VideoDetectionFunction}); both rule operators
 * read the same rules stream and each takes only its own kind of rule.
 * The cases stage reads the detections in the job, not back from Kafka, so that an alert follows the
 * reading that caused it within a second, not a checkpoint later.
 */
public final class SensorPipeline {

    private SensorPipeline() {
    }

    /** Where the pipeline's results go; each list may be empty. */
    public record Outputs(List<Sink<Detection>> detections, List<Sink<CaseMessage>> cases, List<Sink<Alert>> alerts,
                          List<Sink<Observation>> observations) {
        /** Without observations (a pipeline without cameras). */
        public Outputs(List<Sink<Detection>> detections, List<Sink<CaseMessage>> cases, List<Sink<Alert>> alerts) {
            this(detections, cases, alerts, List.of());
        }
    }

    /** The camera input: frames of {@code gw.frames.v1} and how the video operator reaches cameras, grids and evidence. */
    public record Video(DataStream<Frame> frames, VideoDetectionFunction.Settings settings) {
    }

    /** Districtless detections (a sensor outside every grid) are still tracked, under this key. */
    static final String NO_DISTRICT = "000000";

    /** As {@link #build(DataStream, DataStream, Outputs, GridwatchConfig.Edition, Duration, CaseNumberSource)} with the contract's lateness. */
    public static void build(DataStream<Reading> readings, DataStream<RuleChange> ruleChanges, Outputs outputs,
                             GridwatchConfig.Edition edition, CaseNumberSource caseNumbers) {
        build(readings, ruleChanges, outputs, edition, RuleEvaluator.DEFAULT_LATENESS, caseNumbers);
    }

    /**
     * @param lateness    how late a reading may arrive and still be judged in event-time order ({@code jobs.sensor_pipeline.lateness_s})
     * @param caseNumbers where case numbers come from: they must be unique forever ({@link PostgresCaseNumbers})
     */
    public static void build(DataStream<Reading> readings, DataStream<RuleChange> ruleChanges, Outputs outputs,
                             GridwatchConfig.Edition edition, Duration lateness, CaseNumberSource caseNumbers) {
        build(readings, ruleChanges, null, outputs, edition, lateness, caseNumbers);
    }

    /** @param video the cameras' frames, or null for a pipeline of sensors only */
    public static void build(DataStream<Reading> readings, DataStream<RuleChange> ruleChanges, Video video, Outputs outputs,
                             GridwatchConfig.Edition edition, Duration lateness, CaseNumberSource caseNumbers) {
        BroadcastStream<RuleChange> rules = ruleChanges.broadcast(new MapStateDescriptor[] {SensorRulesFunction.RULES});
        DataStream<Detection> detections = readings
                .keyBy(Reading::sensorId)
                .connect(rules)
                .process(new SensorRulesFunction(edition, lateness))
                .uid("sensor-rules").name("sensor rules");
        if (video != null) {
            SingleOutputStreamOperator<RenderRequest> seen = video.frames()
                    .keyBy(Frame::cameraId)
                    .connect(ruleChanges.broadcast(new MapStateDescriptor[] {VideoDetectionFunction.DWELL_RULES}))
                    .process(new VideoDetectionFunction(video.settings()))
                    .uid("video-detection").name("video detection");
            DataStream<Observation> observations = seen.getSideOutput(VideoDetectionFunction.OBSERVATIONS);
            for (int i = 0; i < outputs.observations().size(); i++) {
                observations.sinkTo(outputs.observations().get(i)).uid("observations-sink-" + i).name("observations sink " + i);
            }
            // evidence pictures are rendered off the detection operator's thread; a detection waits only for its own
            DataStream<Detection> rendered = AsyncDataStream.unorderedWait(seen, new EvidenceRendering(video.settings()),
                            EvidenceRendering.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, EvidenceRendering.CAPACITY)
                    .uid("evidence-rendering").name("evidence rendering");
            detections = detections.union(rendered);
        }
        for (int i = 0; i < outputs.detections().size(); i++) {
            detections.sinkTo(outputs.detections().get(i)).uid("detections-sink-" + i).name("detections sink " + i);
        }
        SingleOutputStreamOperator<CaseMessage> cases = detections
                .keyBy(d -> d.districtCode() == null ? NO_DISTRICT : d.districtCode())
                .process(new CasesFunction(edition, caseNumbers))
                .uid("cases").name("cases");
        for (int i = 0; i < outputs.cases().size(); i++) {
            cases.sinkTo(outputs.cases().get(i)).uid("cases-sink-" + i).name("cases sink " + i);
        }
        DataStream<Alert> alerts = cases.getSideOutput(CasesFunction.ALERTS);
        for (int i = 0; i < outputs.alerts().size(); i++) {
            alerts.sinkTo(outputs.alerts().get(i)).uid("alerts-sink-" + i).name("alerts sink " + i);
        }
    }
}
