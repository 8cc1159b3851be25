package io.gridwatch.video;

import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.detection.Detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays recorded {@link Observation}s ({@code gw.observations.v1}) through a set of dwell rules: the detections the
 * video job would have made with them — what {@code gridwatch rules backtest} compares for live and candidate rules.
 * Each camera zone's object gets a cold {@link ZoneTracker} at the first observation; evidence frames are not stored
 * again (their references read {@code replay:<role>}).
 *
 * <p>Observations exist only for the zones and objects a live rule watched: a candidate that watches something new
 * has nothing to replay there.
 */
public final class DwellReplay {

    private static final String NO_HASH = "0".repeat(64);

    private DwellReplay() {
    }

    /** The detections {@code rules} would have made over {@code observations} (any order; replayed in time order). */
    public static List<Detection> replay(List<Observation> observations, DwellRules rules) {
        List<Observation> ordered = new ArrayList<>(observations);
        ordered.sort(Comparator.comparingLong(Observation::ts));
        Map<String, ZoneTracker> trackers = new HashMap<>();
        Map<String, ZoneTracker.Place> places = new HashMap<>();
        List<Detection> out = new ArrayList<>();
        for (Observation o : ordered) {
            DwellRule rule = rules.effective(o.camera(), o.zone(), ZonePurpose.of(o.purpose()), o.ts()).stream()
                    .filter(r -> r.object() == o.object()).findFirst().orElse(null);
            if (rule == null) {
                continue;
            }
            String key = o.camera() + "/" + o.zone() + "/" + o.object().id();
            if (o.lon() != null && o.lat() != null) {
                places.put(key, new ZoneTracker.Place(o.lon(), o.lat(), o.gridCode(), o.districtCode()));
            }
            boolean seen = o.box() != null && o.score() >= rule.minScore();
            ZoneTracker t = trackers.computeIfAbsent(key, k -> new ZoneTracker());
            ZoneTracker.Place place = places.getOrDefault(key, new ZoneTracker.Place(0, 0, null, null));
            out.addAll(t.observe(o.camera(), o.zone(), rule, o.ts(), seen, o.box(), o.score(),
                    (role, box) -> Detection.Evidence.frame("replay:" + role, o.ts(), box, NO_HASH), box -> place));
        }
        return out;
    }
}
