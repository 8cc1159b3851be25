package io.gridwatch.cases;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Objects;

/**
 * 案卷 — a case: one problem at one place, however many times and by however many sources it was
 * seen. Exactly the {@code case} object of CONTRACTS.md §4 (test harnesses and other systems read
 * it), so no field may be added or renamed here without changing the contract:
 *
 * <pre>{@code
 * {"schema":1,"case_id":"GW-210211-20261127-000042","status":"filed",
 *  "category":{"kind":"event","code":"0406","name":"道路积水","major_code":"04","major_name":"突发事件"},
 *  "grid":{"code":"210211016003007","district":"甘井子区","street":"凌水街道","community":"凌海社区居委会"},
 *  "location":{"lon":121.5301,"lat":38.8756},"severity":"yellow",
 *  "sources":[{"type":"sensor","id":"wl-0031"}],
 *  "first_seen":1785196800000,"last_seen":1785197400000,"occurrences":11,"confidence":0.97,
 *  "evidence":[{"type":"sensor_series","uri":"gridwatch://readings/wl-0031?from=…&to=…"},
 *              {"type":"frame","uri":"…","ts":1785197000000,"box":[0.31,0.52,0.44,0.8]}],
 *  "department":"甘井子区市政设施管理处","deadline":1785211200000,"rule_id":"water_level.default"}
 * }</pre>
 *
 * <p>Collections are {@link ArrayList}s and every part is {@link Serializable} so that the record
 * can sit in Flink state; treat them as immutable all the same ({@link CaseTracker} copies before it changes).
 *
 * @param caseId     {@code GW-<district 6>-<yyyyMMdd, Asia/Shanghai>-<6-digit sequence>} ({@link CaseIds})
 * @param status     one of {@link CaseStatus}
 * @param grid       the unit grid and the Chinese names of what it nests in; its fields are null when the
 *                   problem lies outside every grid
 * @param severity   {@code blue} … {@code red} ({@link Severity}), or null when the rule has no ladder
 * @param firstSeen  epoch ms: when the condition began
 * @param lastSeen   epoch ms: the latest detection that saw the problem; once ended, when the readings first showed
 *                   the cause gone (the start of the clearing hold)
 * @param deadline   epoch ms: when the responsible department must have disposed of it ({@link Responsibility})
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"schema", "case_id", "status", "category", "grid", "location", "severity", "sources", "first_seen",
        "last_seen", "occurrences", "confidence", "evidence", "department", "deadline", "rule_id"})
public record CaseFile(int schema, String caseId, String status, Category category, Grid grid, Location location,
                       String severity, ArrayList<Source> sources, long firstSeen, long lastSeen, int occurrences,
                       double confidence, ArrayList<Evidence> evidence, String department, Long deadline,
                       String ruleId) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int SCHEMA = 1;

    public CaseFile {
        Objects.requireNonNull(caseId, "case_id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(category, "category");
        sources = sources == null ? new ArrayList<>() : sources;
        evidence = evidence == null ? new ArrayList<>() : evidence;
    }

    /** The 部件/事件 class, with its Chinese names from the catalogue. */
    @JsonPropertyOrder({"kind", "code", "name", "major_code", "major_name"})
    public record Category(String kind, String code, String name, String majorCode, String majorName) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The unit grid (单元网格) and the names of its district (区), street (街道) and community (社区). */
    @JsonPropertyOrder({"code", "district", "street", "community"})
    public record Grid(String code, String district, String street, String community) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** WGS-84 degrees. */
    public record Location(double lon, double lat) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A sensor, camera (with the {@code zone} that saw it; null and left out otherwise) or report that saw the problem. */
    @JsonPropertyOrder({"type", "id", "zone"})
    public record Source(String type, String id, @JsonInclude(JsonInclude.Include.NON_NULL) String zone) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Source(String type, String id) {
            this(type, id, null);
        }
    }

    /**
     * A reference to evidence: a sensor series (type and uri only), or a frame with its time, the
     * box of what was seen ({@code [x1, y1, x2, y2]}, 0..1 of the image) and the picture's SHA-256 (hex).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "uri", "ts", "box", "sha256"})
    public record Evidence(String type, String uri, Long ts, ArrayList<Double> box, String sha256) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Evidence(String type, String uri, Long ts, ArrayList<Double> box) {
            this(type, uri, ts, box, null);
        }
    }
}
