package io.gridwatch.cli;

import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.jobs.SensorPipelineJob;
import io.gridwatch.stack.AppService;
import io.gridwatch.topics.Topics;

import java.time.Duration;
import java.util.List;

/**
 * gridwatch's own services that {@code up} runs after the stack, in this order ({@code down} stops them in the
 * reverse order: the job first, with a savepoint, then ingest, whose persistent MQTT session makes the broker queue
 * meanwhile; the camera worker, whose cameras the other workers take). A new service (the command-center server) is one
 * more line here.
 */
final class GridwatchServices {

    private GridwatchServices() {
    }

    static List<AppService> all(GridwatchConfig config) {
        return List.of(
                new AppService(IngestCommand.SERVICE, List.of("ingest"), List.of("-Xmx512m"),
                        Duration.ofSeconds(120), Duration.ofSeconds(30), null),
                // the camera ingest worker: ready once in its consumer group; its stop waits out the cameras' blocked reads
                new AppService(CameraWorkerCommand.SERVICE, List.of("cameras", "run"), List.of("-Xmx512m"),
                        Duration.ofSeconds(120), Duration.ofSeconds(30), null),
                // the stop timeout leaves room for a savepoint of 100,000 sensors' state on a busy machine
                new AppService(PipelineCommand.SERVICE, List.of("pipeline"), List.of("-Xmx1g"),
                        Duration.ofSeconds(180), Duration.ofSeconds(150),
                        new AppService.Consumes(SensorPipelineJob.Settings.of(config).groupId(), Topics.READINGS.name())));
    }
}
