package io.gridwatch.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridwatch.ingest.video.CameraHealthReporter;
import io.gridwatch.json.Json;
import io.gridwatch.store.CameraHealthStore;
import io.gridwatch.store.CameraStore;
import io.gridwatch.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gridwatch cameras status}: every registered camera with the health its ingest worker last reported
 * (table {@code camera_health}); a report older than {@link CameraHealthReporter#STALE_AFTER} is marked stale — its
 * worker died, or the camera is moving to another worker.
 */
@Command(name = "status", description = {"The health of every registered camera as its ingest worker reports it: state, worker,",
        "frames/s decoded (in) and sent (out), last frame, reconnects, errors and the last error. A report older than",
        "15 s is marked STALE (its worker is gone). --json prints one object a line."})
final class CameraStatusCommand implements Callable<Integer> {

    @ParentCommand
    CamerasCommand cameras;

    @Option(names = "--json", description = "one JSON object a line (snake_case fields, times in epoch ms and ISO)")
    boolean json;

    @Override
    public Integer call() {
        Workspace ws = cameras.top.workspace();
        List<CameraStore.StoredCamera> registered;
        Map<String, CameraHealthStore.Entry> health = new HashMap<>();
        CameraHealthStore.Summary summary;
        try (Database db = ws.database()) {
            registered = new CameraStore(db.dataSource()).list();
            CameraHealthStore store = new CameraHealthStore(db.dataSource());
            store.list().forEach(e -> health.put(e.cameraId(), e));
            summary = store.summary(CameraHealthReporter.STALE_AFTER);
        }
        Instant now = Instant.now();
        ConsoleTable table = new ConsoleTable("camera_id", "state", "worker", "in/s", "out/s", "last frame", "reconnects", "errors", "last error");
        for (CameraStore.StoredCamera s : registered) {
            String id = s.camera().id();
            CameraHealthStore.Entry h = health.get(id);
            boolean stale = h != null && h.staleAt(now, CameraHealthReporter.STALE_AFTER);
            if (json) {
                System.out.println(json(id, h, stale));
                continue;
            }
            if (h == null) {
                table.row(id, "NO REPORT", "-", "-", "-", "-", "-", "-", "no worker runs it (is `gridwatch cameras run` up?)");
                continue;
            }
            table.row(id, stale ? "STALE " + h.state() + " (" + age(h.updatedAt(), now) + " ago; worker gone?)" : h.state(), h.worker(),
                    rate(h.framesInPerS()), rate(h.framesOutPerS()), h.lastFrameAt() == null ? "never" : age(h.lastFrameAt(), now) + " ago",
                    Long.toString(h.reconnects()), Long.toString(h.errors()), h.lastError() == null ? "-" : oneLine(h.lastError()));
        }
        if (!json) {
            table.print(System.out);
            System.out.println("cameras: " + summary);
        }
        return 0;
    }

    private static String json(String id, CameraHealthStore.Entry h, boolean stale) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("schema", 1);
        o.put("camera_id", id);
        if (h == null) {
            o.put("state", "NO_REPORT");
            return o.toString();
        }
        o.put("state", h.state());
        o.put("stale", stale);
        o.put("online", h.online() && !stale);
        o.put("worker", h.worker());
        o.put("frames_in_per_s", h.framesInPerS());
        o.put("frames_out_per_s", h.framesOutPerS());
        o.put("frames_in", h.framesIn());
        o.put("frames_out", h.framesOut());
        if (h.lastFrameAt() != null) {
            o.put("last_frame_at", h.lastFrameAt().toEpochMilli());
            o.put("last_frame_at_iso", h.lastFrameAt().toString());
        }
        o.put("reconnects", h.reconnects());
        o.put("errors", h.errors());
        if (h.lastError() != null) {
            o.put("last_error", h.lastError());
        }
        o.put("key_frames_only", h.keyFramesOnly());
        o.put("reported_at", h.updatedAt().toEpochMilli());
        o.put("reported_at_iso", h.updatedAt().toString());
        return o.toString();
    }

    private static String rate(double perS) {
        return String.format(Locale.ROOT, "%.2f", perS);
    }

    private static String age(Instant then, Instant now) {
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : (s / 3600) + " h";
    }

    private static String oneLine(String s) {
        String l = s.replace('\n', ' ');
        return l.length() > 120 ? l.substring(0, 117) + "..." : l;
    }
}
