package io.gridwatch.cli;

import io.gridwatch.jobs.SensorPipelineJob;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code gridwatch pipeline}: the sensor pipeline job on a local Flink MiniCluster, until Ctrl-C. */
@Command(name = "pipeline", description = {"Run the sensor pipeline (rules → cases → alerts) on a local Flink MiniCluster until Ctrl-C.",
        "It reads gw.readings.v1 from where it stopped last time (its consumer group's committed offsets)."})
final class PipelineCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Option(names = "--parallelism", defaultValue = "2", description = "task slots to use (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        Workspace ws = top.workspace();
        Configuration conf = SensorPipelineJob.checkpointStorage(ws.varDir().resolve("checkpoints/sensor-pipeline"));
        conf.set(RestOptions.BIND_PORT, "0"); // a free port for the REST endpoint: never clash with another Flink
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        SensorPipelineJob.assemble(env, SensorPipelineJob.Settings.of(ws.config()));
        JobClient job = env.executeAsync("gridwatch sensor pipeline");
        System.out.printf("sensor pipeline running (job %s, parallelism %d, checkpoints in %s); Ctrl-C stops it%n",
                job.getJobID(), parallelism, ws.varDir().resolve("checkpoints/sensor-pipeline"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                job.cancel().get();
            } catch (Exception e) {
                System.err.println("gridwatch: stopping the pipeline: " + e.getMessage());
            }
            stopped.countDown();
        }, "gridwatch-pipeline-stop"));
        job.getJobExecutionResult().whenComplete((r, e) -> {
            if (e != null && stopped.getCount() > 0) {
                System.err.println("gridwatch: the pipeline stopped: " + e.getMessage());
            }
            stopped.countDown();
        });
        stopped.await();
        return 0;
    }
}
