package io.gridwatch.ingest.video;

import java.time.Duration;

/**
 * A camera worker in a JVM of its own, for {@link CameraWorkerTest} to {@code kill -9}: prints {@code joined} once in its
 * group and {@code frame <camera id>} for every frame it sends. Arguments: bootstrap, topic, group, worker id.
 */
public final class CameraWorkerProcess {

    private CameraWorkerProcess() {
    }

    public static void main(String[] args) throws Exception {
        CameraWorker.Settings s = new CameraWorker.Settings(args[0], args[1], args[2], args[3], CameraWorker.Settings.DEFAULT_SESSION_TIMEOUT,
                CameraWorker.Settings.DEFAULT_HEARTBEAT, CameraWorkerTest.STREAM);
        CameraWorker w = new CameraWorker(s, f -> {
            synchronized (System.out) {
                System.out.println("frame " + f.cameraId());
                System.out.flush();
            }
        }).start();
        while (!w.joined()) {
            Thread.sleep(50);
        }
        System.out.println("joined");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(10).toMillis()); // until killed
    }
}
