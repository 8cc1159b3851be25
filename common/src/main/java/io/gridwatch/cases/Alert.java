package io.gridwatch.cases;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.io.Serializable;
import java.util.Objects;

/**
 * 预警 — an alert to a response team, CONTRACTS.md §5, on MQTT {@code gw/v1/alerts/{team}/{district_code}}
 * ({@link #mqttTopic()}) and Kafka {@code gw.alerts.v1} (keyed by alert id):
 *
 * <pre>{@code
 * {"schema":1,"alert_id":"GW-210211-20261127-000042/flood/escalated/orange","team":"flood",
 *  "state":"escalated","severity":"orange","case_id":"GW-210211-20261127-000042",
 *  "category":{"code":"0406","name":"道路积水"},
 *  "grid":{"code":"210211016003007","district":"甘井子区","street":"凌水街道"},
 *  "location":{"lon":121.5301,"lat":38.8756},
 *  "message":"凌水街道 凌海社区：道路积水 52 cm（橙色）","at":1785197400000}
 * }</pre>
 *
 * @param alertId  deterministic ({@link #id}): a repeat after a crash carries the same id
 * @param state    {@code raised}, {@code escalated} (severity rose) or {@code cleared}
 * @param caseId   null for an alert without a case (a district flood watch)
 * @param category null when the alert has no 部件/事件 class (a watch)
 * @param message  Chinese, naming the street and what was measured
 * @param at       epoch ms, the time of the detection that caused it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"schema", "alert_id", "team", "state", "severity", "case_id", "category", "grid", "location", "message", "at"})
public record Alert(int schema, String alertId, String team, String state, String severity, String caseId, Category category,
                    Grid grid, CaseFile.Location location, String message, long at) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int SCHEMA = 1;
    public static final String RAISED = "raised";
    public static final String ESCALATED = "escalated";
    public static final String CLEARED = "cleared";

    public Alert {
        Objects.requireNonNull(alertId, "alert_id");
        Objects.requireNonNull(team, "team");
        Objects.requireNonNull(state, "state");
        if (!state.equals(RAISED) && !state.equals(ESCALATED) && !state.equals(CLEARED)) {
            throw new IllegalArgumentException("alert state must be raised, escalated or cleared, not '" + state + "'");
        }
    }

    /**
     * The deterministic alert id: {@code <subject>/<team>/<state>}, plus {@code /<severity>} for an
     * escalation (one per level reached), where the subject is the case id or a watch episode.
     */
    public static String id(String subject, String team, String state, String severity) {
        return subject + "/" + team + "/" + state + (ESCALATED.equals(state) ? "/" + severity : "");
    }

    /** The 6-digit district code the alert is published under: the first digits of its grid code. */
    @JsonIgnore
    public String districtCode() {
        return grid == null || grid.code() == null || grid.code().length() < 6 ? null : grid.code().substring(0, 6);
    }

    /** {@code gw/v1/alerts/{team}/{district_code}} (CONTRACTS.md §5); {@code unknown} when outside every grid. */
    @JsonIgnore
    public String mqttTopic() {
        String d = districtCode();
        return "gw/v1/alerts/" + team + "/" + (d == null ? "unknown" : d);
    }

    /** The class, code and Chinese name only. */
    @JsonPropertyOrder({"code", "name"})
    public record Category(String code, String name) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The unit grid with the names of its district and street. */
    @JsonPropertyOrder({"code", "district", "street"})
    public record Grid(String code, String district, String street) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
