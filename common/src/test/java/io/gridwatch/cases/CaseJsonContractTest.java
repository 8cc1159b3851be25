package io.gridwatch.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridwatch.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The case and alert JSON must be the shapes of CONTRACTS.md §4 and §5, field by field: harnesses read them. */
class CaseJsonContractTest {

    static final ObjectMapper JSON = Json.mapper();

    /** CONTRACTS.md §4, verbatim but for the "…" placeholders. */
    static final String CONTRACT_CASE = """
            {"type": "new",
             "case": {
              "schema": 1,
              "case_id": "GW-210211-20261127-000042",
              "status": "filed",
              "category": {"kind": "event", "code": "0406", "name": "道路积水", "major_code": "04", "major_name": "突发事件"},
              "grid": {"code": "210211016003007", "district": "甘井子区", "street": "凌水街道", "community": "凌海社区居委会"},
              "location": {"lon": 121.5301, "lat": 38.8756},
              "severity": "yellow",
              "sources": [{"type": "sensor", "id": "wl-0031"}],
              "first_seen": 1785196800000, "last_seen": 1785197400000, "occurrences": 11,
              "confidence": 0.97,
              "evidence": [{"type": "sensor_series", "uri": "u1"}, {"type": "frame", "uri": "u2", "ts": 1785197000000, "box": [0.31,0.52,0.44,0.80]}],
              "department": "甘井子区市政设施管理处", "deadline": 1785211200000,
              "rule_id": "water_level.default"}}
            """;

    /** CONTRACTS.md §5. */
    static final String CONTRACT_ALERT = """
            {"schema": 1, "alert_id": "a", "team": "flood", "state": "raised", "severity": "orange",
             "case_id": "GW-210211-20261127-000042", "category": {"code": "0406", "name": "道路积水"},
             "grid": {"code": "210211016003007", "district": "甘井子区", "street": "凌水街道"}, "location": {"lon": 0, "lat": 0},
             "message": "凌水街道 凌海社区：道路积水 52 cm", "at": 1785197400000}
            """;

    static CaseMessage example() {
        ArrayList<CaseFile.Evidence> ev = new ArrayList<>();
        ev.add(new CaseFile.Evidence("sensor_series", "u1", null, null));
        ev.add(new CaseFile.Evidence("frame", "u2", 1785197000000L, new ArrayList<>(List.of(0.31, 0.52, 0.44, 0.80))));
        return new CaseMessage("new", new CaseFile(1, "GW-210211-20261127-000042", "filed",
                new CaseFile.Category("event", "0406", "道路积水", "04", "突发事件"),
                new CaseFile.Grid("210211016003007", "甘井子区", "凌水街道", "凌海社区居委会"), new CaseFile.Location(121.5301, 38.8756),
                "yellow", new ArrayList<>(List.of(new CaseFile.Source("sensor", "wl-0031"))), 1785196800000L, 1785197400000L, 11, 0.97,
                ev, "甘井子区市政设施管理处", 1785211200000L, "water_level.default"));
    }

    @Test
    void caseMessageIsTheContractShapeFieldByFieldAndInOrder() throws Exception {
        JsonNode ours = JSON.readTree(JSON.writeValueAsString(example()));
        JsonNode contract = JSON.readTree(CONTRACT_CASE);
        assertSameShape("", ours, contract);
        assertThat(ours).isEqualTo(contract);
    }

    @Test
    void caseMessageReadsBack() throws Exception {
        CaseMessage m = example();
        assertThat(JSON.readValue(JSON.writeValueAsString(m), CaseMessage.class)).isEqualTo(m);
        assertThat(JSON.readValue(CONTRACT_CASE, CaseMessage.class)).isEqualTo(m);
    }

    @Test
    void alertIsTheContractShapeFieldByField() throws Exception {
        Alert a = new Alert(1, "a", "flood", "raised", "orange", "GW-210211-20261127-000042", new Alert.Category("0406", "道路积水"),
                new Alert.Grid("210211016003007", "甘井子区", "凌水街道"), new CaseFile.Location(0, 0), "凌水街道 凌海社区：道路积水 52 cm",
                1785197400000L);
        JsonNode ours = JSON.readTree(JSON.writeValueAsString(a));
        JsonNode contract = JSON.readTree(CONTRACT_ALERT);
        assertSameShape("", ours, contract);
        assertThat(JSON.readValue(CONTRACT_ALERT, Alert.class)).isEqualTo(a);
        assertThat(JSON.readValue(JSON.writeValueAsString(a), Alert.class)).isEqualTo(a);
    }

    @Test
    void aWatchAlertKeepsEveryFieldWithNulls() throws Exception {
        Alert a = new Alert(1, "w/flood/raised", "flood", "raised", "blue", null, null,
                new Alert.Grid("210211016003007", "甘井子区", "凌水街道"), new CaseFile.Location(121.5, 38.9), "甘井子区：…", 1L);
        JsonNode ours = JSON.readTree(JSON.writeValueAsString(a));
        assertThat(fieldNames(ours)).isEqualTo(fieldNames(JSON.readTree(CONTRACT_ALERT)));
        assertThat(ours.get("case_id").isNull()).isTrue();
    }

    /** Same field names in the same order at every level (arrays element by element); values may differ in type only where null. */
    static void assertSameShape(String path, JsonNode ours, JsonNode contract) {
        if (contract.isObject()) {
            assertThat(ours.isObject()).as(path).isTrue();
            assertThat(fieldNames(ours)).as("fields of " + (path.isEmpty() ? "the root" : path)).isEqualTo(fieldNames(contract));
            contract.fieldNames().forEachRemaining(f -> assertSameShape(path + "." + f, ours.get(f), contract.get(f)));
        } else if (contract.isArray()) {
            assertThat(ours.isArray()).as(path).isTrue();
            assertThat(ours.size()).as(path).isEqualTo(contract.size());
            for (int i = 0; i < contract.size(); i++) {
                assertSameShape(path + "[" + i + "]", ours.get(i), contract.get(i));
            }
        } else {
            assertThat(ours.getNodeType()).as(path).isEqualTo(contract.getNodeType());
        }
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
