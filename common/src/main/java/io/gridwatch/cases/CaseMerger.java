package io.gridwatch.cases;

import io.gridwatch.detection.Detection;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One case per problem across sources (CONTRACTS.md §4: "a problem seen by several sources is one case listing them
 * all"): decides when the detections of one problem ({@code problem_key}) join the open case of another — standing water
 * seen by a camera where a water-level sensor measures it, a stall seen by two cameras — and when such a shared case may
 * end. Flink-free; the cases operator keeps the {@link Group}s and moves detections accordingly.
 *
 * <p><b>When a problem joins a case.</b> Its detection opens (raised, or a revision of a problem with no open case), no
 * case of its own is open, and an open case of <em>another</em> problem in the same district has the same 部件/事件 code,
 * lies within {@link Settings#radiusFor the category's radius} of it, and at least one of the two was seen by a camera or a
 * report. Two sensors never merge: each measures its own point (two flooded gauges are two places to pump), and a component
 * sensor (a manhole cover) is its own thing. The radius is the reach of "the same or a neighbouring unit grid" (unit grids
 * are ~100 m across) for things that spread — water, snow — and a few metres (what a calibration homography gets right) for
 * things that stand in one place.
 *
 * <p><b>When a shared case ends.</b> Only when the last of its problems cleared: a camera that no longer sees water while
 * the gauge still reads 40 cm does not end the flood. Until then a member's {@code cleared} (or {@code retracted}) only
 * leaves the group.
 */
public final class CaseMerger {

    /**
     * @param spreadRadiusM  how far apart two sightings of water or snow may be and still be one problem, metres
     * @param objectRadiusM  the same for everything else (stalls, garbage, components), metres
     */
    public record Settings(double spreadRadiusM, double objectRadiusM) implements Serializable {
        /** ~ the centre of a unit grid to the far side of its neighbour; a stall's position through a homography. */
        public static final Settings DEFAULTS = new Settings(150, 25);

        public Settings {
            if (!(spreadRadiusM >= 0 && objectRadiusM >= 0)) {
                throw new IllegalArgumentException("merge radii must be ≥ 0 metres, got " + spreadRadiusM + " and " + objectRadiusM);
            }
        }

        /** 0406 道路积水 and 0407 道路积雪结冰 spread over an area; the rest stand in one place. */
        public double radiusFor(String categoryCode) {
            return SPREADING.contains(categoryCode) ? spreadRadiusM : objectRadiusM;
        }

        private static final java.util.Set<String> SPREADING = java.util.Set.of("0406", "0407");
    }

    /**
     * The problems sharing one case: the {@code canonical} problem (the one whose case was open first; the case state lives
     * under its key) and those still seeing it, the canonical one included while it does.
     */
    public record Group(String canonical, ArrayList<String> active) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Group {
            Objects.requireNonNull(canonical, "canonical");
            active = active == null ? new ArrayList<>() : active;
        }

        /** A new group: the canonical problem and the one joining it, both active. */
        public static Group of(String canonical, String joining) {
            ArrayList<String> active = new ArrayList<>();
            active.add(canonical);
            active.add(joining);
            return new Group(canonical, active);
        }

        /** This group with {@code key} seeing the problem again (a member that had cleared and raises anew). */
        public Group withActive(String key) {
            if (active.contains(key)) {
                return this;
            }
            ArrayList<String> a = new ArrayList<>(active);
            a.add(key);
            return new Group(canonical, a);
        }

        /** This group without {@code key} (it no longer sees the problem). */
        public Group without(String key) {
            ArrayList<String> a = new ArrayList<>(active);
            a.remove(key);
            return new Group(canonical, a);
        }
    }

    /** What to do with a detection of a problem in a group. */
    public enum Route {
        /** Give it to the tracker under the group's case. */
        FORWARD,
        /** The member stops seeing the problem while others still do: it leaves the group, the case stays open. */
        LEAVE,
        /** Nothing: the detection says nothing the shared case needs (a member's correction while others see it). */
        DROP
    }

    private final Settings settings;

    public CaseMerger(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The open case of another problem that {@code d} (problem {@code key}, with no open case of its own and in no group)
     * joins, if any: the nearest that qualifies.
     *
     * @param problems the district's problems and their states (the cases operator's map)
     */
    public Optional<String> joinTarget(String key, Detection d, Iterable<Map.Entry<String, CaseState>> problems) {
        if (!opens(d) || d.category() == null || !hasPlace(d.lon(), d.lat())) {
            return Optional.empty();
        }
        boolean seesIt = sees(d.source().type());
        double radius = settings.radiusFor(d.category().code());
        String best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Map.Entry<String, CaseState> e : problems) {
            CaseState s = e.getValue();
            CaseFile f = s.caseFile();
            if (e.getKey().equals(key) || s.phase() != CaseState.Phase.OPEN || f == null || f.location() == null
                    || !d.category().code().equals(f.category().code())) {
                continue;
            }
            if (!seesIt && f.sources().stream().noneMatch(src -> sees(Detection.SourceType.of(src.type())))) {
                continue; // sensor and sensor: two places
            }
            double m = metres(d.lon(), d.lat(), f.location().lon(), f.location().lat());
            if (m <= radius && m < bestDistance) {
                best = e.getKey();
                bestDistance = m;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * What a detection of {@code key}, a member of {@code group}, does to the shared case.
     */
    public static Route route(Group group, String key, Detection d) {
        boolean others = group.active().stream().anyMatch(k -> !k.equals(key));
        return switch (d.state()) {
            case CLEARED, RETRACTED -> others ? Route.LEAVE : Route.FORWARD;
            // a correction of one member's episode: the shared case is not that episode alone
            case REVISED -> !others ? Route.FORWARD : d.endedAt() != null ? Route.LEAVE : Route.DROP;
            default -> Route.FORWARD;
        };
    }

    /** Whether a detection starts (or restarts) a problem: what may join a case. */
    private static boolean opens(Detection d) {
        return d.state() == Detection.State.RAISED || d.state() == Detection.State.UPDATE
                || (d.state() == Detection.State.REVISED && d.endedAt() == null);
    }

    /** A camera or a report sees a problem where it is; a sensor measures its own point. */
    private static boolean sees(Detection.SourceType type) {
        return type == Detection.SourceType.CAMERA || type == Detection.SourceType.REPORT;
    }

    private static boolean hasPlace(double lon, double lat) {
        return !(lon == 0 && lat == 0) && Double.isFinite(lon) && Double.isFinite(lat);
    }

    /** Great-circle distance (haversine, mean Earth radius): exact enough over a few hundred metres. */
    static double metres(double lon1, double lat1, double lon2, double lat2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
