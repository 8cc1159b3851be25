package io.gridwatch.cli;

import io.gridwatch.jobs.SensorPipelineJob;
import io.gridwatch.stack.ServiceHeartbeat;
import io.gridwatch.stack.Snapshot;
import io.gridwatch.stack.Snapshots;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code gridwatch pipeline}: the sensor pipeline job on a local Flink MiniCluster, until Ctrl-C or SIGTERM. Every start
 * resumes from the newest completed checkpoint or savepoint it left (a crash, {@code kill -9}, a {@code down}), so that
 * holds, open cases and case numbers carry over; a stop takes a savepoint first.
 */
@Command(name = "pipeline", description = {"Run the sensor pipeline (rules → cases → alerts) on a local Flink MiniCluster until Ctrl-C.",
        "It resumes from its newest retained checkpoint or savepoint (var/checkpoints, var/savepoints) unless --fresh;",
        "Ctrl-C or SIGTERM stops it with a savepoint."})
final class PipelineCommand implements Callable<Integer> {

    /** The name of this service in {@code up}/{@code status} and of its heartbeat file. */
    static final String SERVICE = "pipeline";
    private static final long STOP_TIMEOUT_S = 120;

    @ParentCommand
    Gridwatch top;

    @Option(names = "--parallelism", defaultValue = "2", description = "task slots to use (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--fresh", description = "start without state: ignore retained checkpoints and savepoints (they stay on disk)")
    boolean fresh;

    static Snapshots snapshots(Workspace ws) {
        return new Snapshots(ws.varDir().resolve("checkpoints/sensor-pipeline"), ws.varDir().resolve("savepoints/sensor-pipeline"));
    }

    @Override
    public Integer call() throws Exception {
        if (parallelism < 1) {
            throw new IllegalArgumentException("--parallelism must be at least 1");
        }
        Workspace ws = top.workspace();
        Path heartbeat = ServiceHeartbeat.file(ws.varDir(), SERVICE);
        // two jobs on one checkpoint directory and one consumer group would each raise every case
        Optional<ServiceHeartbeat> other = ServiceHeartbeat.read(heartbeat).filter(ServiceHeartbeat::fresh)
                .filter(h -> h.pid() != ProcessHandle.current().pid() && ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false));
        if (other.isPresent()) {
            throw new IllegalStateException("a sensor pipeline already runs (pid " + other.get().pid() + ", " + other.get().state()
                    + "); stop it first (`gridwatch down`, or Ctrl-C in its terminal)");
        }
        Snapshots snapshots = snapshots(ws);
        SensorPipelineJob.Settings settings = SensorPipelineJob.Settings.of(ws.config(), ws.varDir());
        Configuration conf = SensorPipelineJob.retainedCheckpoints(snapshots.checkpointsDir(), snapshots.savepointsDir(),
                settings.job().retainedCheckpoints());
        conf.set(RestOptions.BIND_PORT, "0"); // a free port for the REST endpoint: never clash with another Flink
        Optional<Snapshot> from = snapshots.newest();
        String origin;
        if (fresh) {
            origin = "started fresh (--fresh)" + from.map(s -> "; not resuming from " + s.describe()).orElse("");
            from = Optional.empty();
        } else if (from.isPresent()) {
            origin = "resuming from " + from.get().describe();
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, from.get().dir().toUri().toString());
        } else {
            origin = "started fresh (no checkpoint or savepoint under " + snapshots.checkpointsDir() + " or " + snapshots.savepointsDir() + ")";
        }
        System.out.println("sensor pipeline " + origin);

        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM (down) and Ctrl-C stop the job with a savepoint here, before the JVM shuts down: in a shutdown hook
        // the MiniCluster's own hooks would be tearing it down at the same time
        for (String signal : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
        }
        ServiceHeartbeat.now(SERVICE, false, "starting", origin).write(heartbeat);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        SensorPipelineJob.assemble(env, settings);
        JobClient job = env.executeAsync("gridwatch sensor pipeline");
        String jobId = job.getJobID().toHexString();
        System.out.printf("sensor pipeline job %s submitted (parallelism %d, checkpoints in %s); Ctrl-C stops it with a savepoint%n",
                jobId, parallelism, snapshots.checkpointsDir());
        CountDownLatch ended = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        job.getJobExecutionResult().whenComplete((r, e) -> {
            failure[0] = e;
            ended.countDown();
        });

        boolean announced = false;
        while (!stopRequested.await(ServiceHeartbeat.INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
            if (ended.getCount() == 0) {
                String why = failure[0] == null ? "it finished" : rootMessage(failure[0]);
                ServiceHeartbeat.now(SERVICE, false, "failed", "job " + jobId + " ended: " + why).write(heartbeat);
                System.err.println("gridwatch: the sensor pipeline stopped: " + why + (from.isPresent()
                        ? "\n  it was resuming from " + from.get().describe() + "; if that snapshot cannot be used, "
                        + "`gridwatch pipeline --fresh` starts without state" : ""));
                return 1;
            }
            JobStatus status = jobStatus(job);
            if (status == JobStatus.RUNNING && !announced) {
                System.out.printf("sensor pipeline job %s RUNNING%n", jobId);
                announced = true;
            }
            Optional<Snapshot> last = snapshots.newestCheckpointOf(jobId);
            String detail = "job " + jobId + " " + status + "; " + origin + "; last checkpoint "
                    + last.map(s -> s.dir().getFileName() + " at " + s.takenText()).orElse("none yet");
            ServiceHeartbeat.now(SERVICE, status == JobStatus.RUNNING, status.name().toLowerCase(java.util.Locale.ROOT), detail).write(heartbeat);
            if (last.isPresent()) {
                try {
                    snapshots.pruneBefore(jobId); // once this job has a checkpoint of its own, earlier ones are no longer needed
                } catch (RuntimeException e) {
                    System.err.println("gridwatch: " + e.getMessage());
                }
            }
        }

        ServiceHeartbeat.now(SERVICE, false, "stopping", "job " + jobId + ": taking a savepoint").write(heartbeat);
        System.out.println("stopping the sensor pipeline with a savepoint …");
        try {
            String savepoint = job.stopWithSavepoint(false, snapshots.savepointsDir().toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
            System.out.println("sensor pipeline stopped with savepoint " + savepoint + "; the next start resumes from it");
            ServiceHeartbeat.now(SERVICE, false, "stopped", "job " + jobId + " stopped with savepoint " + savepoint).write(heartbeat);
            return 0;
        } catch (Exception e) {
            // the retained checkpoints stay: the next start resumes from the newest of them
            System.err.println("gridwatch: no savepoint (" + rootMessage(e) + "); cancelling; the next start resumes from "
                    + snapshots.newest().map(Snapshot::describe).orElse("nothing (no checkpoint completed)"));
            job.cancel().get(30, TimeUnit.SECONDS);
            return 1;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static JobStatus jobStatus(JobClient job) {
        try {
            return job.getJobStatus().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return JobStatus.INITIALIZING; // the cluster is busy: report "not ready" rather than fail
        }
    }
}
