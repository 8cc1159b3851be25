package io.gridwatch.video;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gridwatch.camera.ZonePurpose;
import io.gridwatch.detection.Detection;
import io.gridwatch.rules.Schedule;

import java.util.Objects;

/**
 * 驻留规则 — a camera dwell rule, as data on {@code gw.rules.v1} beside the sensor rules (told apart by
 * {@code "kind": "dwell"}): in the zones it applies to, an {@link #object} the tile models see must <b>appear</b>
 * (not be part of the scene the camera showed from its first frames, see {@link SceneBaseline}) and <b>stay</b>
 * {@link #stayS} seconds, gaps of at most {@link #maxGapS} (occlusions, people walking through) forgiven, before it
 * raises; it clears once unseen for {@link #clearS}. The shipped defaults are
 * {@code /io/gridwatch/video/default-dwell-rules.json} ({@link DwellRules#defaults()}).
 *
 * <pre>{@code
 * {"schema":1,"rule_id":"stall.no_vending","family":"dwell.stall","kind":"dwell","enabled":true,
 *  "scope":{"purpose":"no_vending"},"object":"stall","category":{"kind":"event","code":"0501"},
 *  "stay_s":600,"max_gap_s":120,"clear_s":300,"min_score":0.6,"latest_every_s":600}
 * }</pre>
 *
 * <p><b>Families and precedence</b> as for the sensor rules: of the rules of one {@link #family} whose scope applies
 * to a zone, the most specific wins — camera and zone &gt; camera (and purpose) &gt; camera &gt; purpose &gt; none
 * ({@link Scope#specificity()}); a winner with {@code enabled: false} switches the family off there.
 *
 * @param family       the rules that override each other; defaults to {@code dwell.<object>}
 * @param schedule     when the rule runs (Asia/Shanghai), on top of the zone's own schedule; absent = always
 * @param team         the response team to alert ({@code flood}, {@code snow}), or null
 * @param stayS        seconds an object must stay before it raises
 * @param maxGapS      seconds an appearing object may be unseen and still count as staying
 * @param clearS       seconds a raised object must be unseen before its case ends
 * @param minScore     the tile model's score (0..1) an object needs to count as seen
 * @param latestEveryS seconds between two "latest" evidence frames of a raised object
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DwellRule(int schema, String ruleId, String family, String kind, Boolean enabled, Scope scope,
                        Schedule schedule, WatchedObject object, Detection.Category category, String team,
                        String description, int stayS, int maxGapS, int clearS, double minScore, Integer latestEveryS) {

    public static final int SCHEMA = 1;
    /** The {@code kind} that marks a dwell rule on {@code gw.rules.v1}. */
    public static final String KIND = "dwell";
    /** {@link #latestEveryS} when absent. */
    public static final int DEFAULT_LATEST_EVERY_S = 600;

    public DwellRule {
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("schema: unsupported version " + schema + " (expected " + SCHEMA + ")");
        }
        if (ruleId == null || ruleId.isBlank()) {
            throw new IllegalArgumentException("rule_id is required");
        }
        if (!KIND.equals(kind)) {
            throw new IllegalArgumentException("kind must be '" + KIND + "' for a dwell rule, got '" + kind + "'");
        }
        Objects.requireNonNull(object, "object is required; known: " + WatchedObject.ids());
        Objects.requireNonNull(category, "category is required");
        family = family == null ? "dwell." + object.id() : family;
        enabled = enabled == null ? Boolean.TRUE : enabled;
        scope = scope == null ? Scope.ANY : scope;
        latestEveryS = latestEveryS == null ? DEFAULT_LATEST_EVERY_S : latestEveryS;
        if (stayS < 0 || maxGapS < 0 || clearS < 0 || latestEveryS < 1) {
            throw new IllegalArgumentException("stay_s, max_gap_s and clear_s must be >= 0, latest_every_s >= 1");
        }
        if (!(minScore > 0 && minScore <= 1)) {
            throw new IllegalArgumentException("min_score must be in (0, 1], got " + minScore);
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Whether the rule runs at {@code ts} (its own schedule; the zone's is the caller's). */
    public boolean runsAt(long ts) {
        return schedule == null || schedule.isActive(ts);
    }

    /**
     * Where a dwell rule applies; every field given must match the zone. A zone name is a camera's own, so
     * {@code zone} needs {@code camera}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scope(String camera, String zone, String purpose) {
        public static final Scope ANY = new Scope(null, null, null);

        public Scope {
            if (purpose != null) {
                ZonePurpose.of(purpose); // names the allowed values
            }
            if (zone != null && camera == null) {
                throw new IllegalArgumentException("scope.zone '" + zone + "' needs scope.camera: zone names are per camera");
            }
        }

        public boolean applies(String cameraId, String zoneName, ZonePurpose zonePurpose) {
            return (camera == null || camera.equals(cameraId))
                    && (zone == null || zone.equals(zoneName))
                    && (purpose == null || purpose.equals(zonePurpose.id()));
        }

        /** camera + zone (7) &gt; camera + purpose (5) &gt; camera (4) &gt; purpose (1) &gt; none (0). */
        public int specificity() {
            return (camera != null ? 4 : 0) + (zone != null ? 2 : 0) + (purpose != null ? 1 : 0);
        }
    }
}
