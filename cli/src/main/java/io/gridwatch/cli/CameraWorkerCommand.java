package io.gridwatch.cli;

import io.gridwatch.ingest.video.CameraHealth;
import io.gridwatch.ingest.video.CameraHealthReporter;
import io.gridwatch.ingest.video.CameraWorker;
import io.gridwatch.ingest.video.FrameSink;
import io.gridwatch.stack.InstanceSlot;
import io.gridwatch.stack.ServiceHeartbeat;
import io.gridwatch.store.CameraHealthStore;
import io.gridwatch.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code gridwatch cameras run}: one camera ingest worker (the service {@code up} runs as {@value #SERVICE}). It joins
 * the workers' consumer group on {@code gw.cameras.v1}, runs the cameras of its partitions, sends their frames to
 * {@code gw.frames.v1} and reports their health to PostgreSQL. Start several, here or on other machines, to share the
 * cameras; when one stops or dies, the others take its cameras.
 */
@Command(name = "run", description = {"Run a camera ingest worker until Ctrl-C: the cameras Kafka assigns to it (consumer group over",
        "gw.cameras.v1) are read and sampled, their frames go to gw.frames.v1, their health to `cameras status`.",
        "Start several to share the cameras; a stopped or killed one's cameras move to the others (within ~15 s)."})
final class CameraWorkerCommand implements Callable<Integer> {

    /** The name of this service in {@code up}/{@code status} and of its heartbeat file (instance 0; others add "-N"). */
    static final String SERVICE = "cameras";
    static final int MAX_INSTANCES = 64;

    @ParentCommand
    CamerasCommand cameras;

    @Option(names = "--worker-id", paramLabel = "ID", description = "this worker's name in health and logs (default: cameras-HOSTNAME-N, N the lowest instance number free on this machine)")
    String workerId;

    @Option(names = "--run-for", paramLabel = "SECONDS", hidden = true, description = "stop after this long (tests)")
    Integer runFor;

    @Override
    public Integer call() throws InterruptedException {
        Workspace ws = cameras.top.workspace();
        try (InstanceSlot slot = InstanceSlot.claim(ws.varDir().resolve("run"), SERVICE, MAX_INSTANCES)) {
            String id = workerId != null ? workerId : "cameras-" + host() + "-" + slot.number();
            Path heartbeat = ServiceHeartbeat.file(ws.varDir(), slot.number() == 0 ? SERVICE : SERVICE + "-" + slot.number());
            return run(ws, id, heartbeat);
        }
    }

    private int run(Workspace ws, String id, Path heartbeatFile) throws InterruptedException {
        String kafka = ws.config().stack().kafka().bootstrapServers();
        CountDownLatch stopped = new CountDownLatch(1);
        try (Database db = ws.database(); FrameSink sink = new FrameSink(kafka, id)) {
            CameraHealthStore store = new CameraHealthStore(db.dataSource());
            CameraWorker worker = new CameraWorker(CameraWorker.Settings.of(kafka, id), sink);
            CameraHealthReporter reporter = new CameraHealthReporter(worker, store);
            Thread hook = new Thread(() -> {
                reporter.close();
                worker.close(); // stops the cameras and leaves the group: the others take them at once
                stopped.countDown();
            }, "gridwatch-cameras-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            worker.start();
            reporter.start();
            System.out.printf("camera worker %s: Kafka %s, group %s; Ctrl-C stops%n", id, kafka, CameraWorker.Settings.DEFAULT_GROUP);
            ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gridwatch-cameras-heartbeat");
                t.setDaemon(true);
                return t;
            });
            beat.scheduleWithFixedDelay(() -> {
                try {
                    heartbeat(worker, sink, store, id).write(heartbeatFile);
                } catch (RuntimeException e) {
                    System.err.println("heartbeat not written: " + e.getMessage());
                }
            }, 0, ServiceHeartbeat.INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            try {
                long end = runFor == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(runFor);
                while (System.nanoTime() < end) {
                    if (stopped.await(Math.min(TimeUnit.SECONDS.toNanos(10), end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return 0;
                    }
                    if (worker.failure() != null) {
                        throw new IllegalStateException("camera worker " + id + " failed: " + worker.failure().getMessage(), worker.failure());
                    }
                }
                Runtime.getRuntime().removeShutdownHook(hook);
                reporter.close();
                worker.close();
                return 0;
            } finally {
                beat.shutdownNow();
                ServiceHeartbeat.now(SERVICE, false, "stopped", id).write(heartbeatFile);
            }
        }
    }

    private static ServiceHeartbeat heartbeat(CameraWorker worker, FrameSink sink, CameraHealthStore store, String id) {
        List<CameraHealth> here = worker.health();
        long online = here.stream().filter(h -> h.state().online()).count();
        String system;
        try {
            system = "all workers: " + store.summary(CameraHealthReporter.STALE_AFTER);
        } catch (RuntimeException e) {
            system = "camera summary unknown (" + e.getMessage() + ")";
        }
        String detail = String.format(Locale.ROOT, "%s: %d camera%s here (%d online), %d partition%s; %s; frames sent %,d, dropped %,d",
                id, here.size(), here.size() == 1 ? "" : "s", online, worker.partitions().size(), worker.partitions().size() == 1 ? "" : "s",
                system, sink.sent(), sink.failed());
        boolean ready = worker.joined();
        return ServiceHeartbeat.now(SERVICE, ready, worker.failure() != null ? "failed" : ready ? "running" : "joining", detail);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "local";
        }
    }
}
