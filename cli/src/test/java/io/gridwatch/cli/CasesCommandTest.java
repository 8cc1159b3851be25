package io.gridwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridwatch.cases.CaseFile;
import io.gridwatch.cases.CaseMessage;
import io.gridwatch.json.Json;
import io.gridwatch.store.CaseStore;
import io.gridwatch.store.Database;
import io.gridwatch.testkit.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gridwatch cases}: what test harnesses read (CONTRACTS.md §4), on the real PostgreSQL. */
class CasesCommandTest {

    static final long T0 = Instant.parse("2026-11-25T02:00:00Z").toEpochMilli(); // 10:00 in Shanghai
    static final long HOUR = 3600_000L;

    @TempDir
    static Path home;
    static Path config;
    static Database db;


    static CliRun run(String... args) {
        return CliRun.of(home, config, args);
    }

    @BeforeAll
    static void store() throws Exception {
        TestServices services = TestServices.shared();
        String url = services.newDatabase("gw_cli_cases");
        String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        config = Files.writeString(home.resolve("gridwatch.yaml"), String.format("""
                stack:
                  postgres: {host: %s, port: %d, database: %s, user: %s}
                """, services.postgres().host(), services.postgres().port(), name, services.postgresUser()));
        db = Database.open(url, services.postgresUser());
        db.migrate();
        CaseStore store = new CaseStore(db.dataSource());
        store.write(List.of(
                new CaseMessage("new", file("GW-210211-20261125-000001", "filed", "orange", "0406", "道路积水", T0, T0 + HOUR)),
                new CaseMessage("new", file("GW-210211-20261125-000002", "collected", null, "0102", "暴露垃圾", T0 + HOUR, T0 + 2 * HOUR)),
                new CaseMessage("new", file("GW-210211-20261125-000003", "filed", "blue", "0406", "道路积水", T0 + 3 * HOUR, T0 + 5 * HOUR)),
                new CaseMessage("end", file("GW-210211-20261125-000003", "verified", "blue", "0406", "道路积水", T0 + 3 * HOUR, T0 + 5 * HOUR))));
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static CaseFile file(String id, String status, String severity, String code, String name, long first, long last) {
        return new CaseFile(1, id, status, new CaseFile.Category("event", code, name, code.substring(0, 2), code.startsWith("04") ? "突发事件" : "市容环境"),
                new CaseFile.Grid("210211016003007", "甘井子区", "凌水街道", "凌海社区居委会"), new CaseFile.Location(121.5301, 38.8756),
                severity, new ArrayList<>(List.of(new CaseFile.Source("sensor", "wl-0031"))), first, last, 1, 0.9,
                new ArrayList<>(List.of(new CaseFile.Evidence("sensor_series", "gridwatch://readings/wl-0031", null, null))),
                "甘井子区市政设施管理处", last + 4 * HOUR, "water_level.default");
    }

    static List<JsonNode> lines(CliRun r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                out.add(Json.mapper().readTree(line));
            }
        }
        return out;
    }

    @Test
    void jsonIsOneCaseALineInTheContractShape() throws Exception {
        CliRun r = run("cases", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        List<JsonNode> cases = lines(r);
        assertThat(cases).extracting(n -> n.get("case_id").asText())
                .containsExactly("GW-210211-20261125-000001", "GW-210211-20261125-000002", "GW-210211-20261125-000003");
        JsonNode first = cases.get(0);
        assertThat(first.get("schema").asInt()).isEqualTo(1);
        assertThat(first.get("grid").get("street").asText()).isEqualTo("凌水街道");
        assertThat(first.get("category").get("major_name").asText()).isEqualTo("突发事件");
        assertThat(Json.mapper().treeToValue(first, CaseFile.class).caseId()).isEqualTo("GW-210211-20261125-000001");
        assertThat(cases.get(2).get("status").asText()).isEqualTo("verified");
    }

    @Test
    void filtersByStatusAndSince() throws Exception {
        assertThat(lines(run("cases", "--json", "--status", "collected"))).extracting(n -> n.get("case_id").asText())
                .containsExactly("GW-210211-20261125-000002");
        // last seen at or after 12:30 Shanghai: the second (12:00) is out, the third (15:00) in
        assertThat(lines(run("cases", "--json", "--since", "2026-11-25T04:30:00Z"))).extracting(n -> n.get("case_id").asText())
                .containsExactly("GW-210211-20261125-000003");
        assertThat(lines(run("cases", "--json", "--since", "2026-11-25T12:30+08:00", "--status", "verified")))
                .extracting(n -> n.get("case_id").asText()).containsExactly("GW-210211-20261125-000003");
        assertThat(lines(run("cases", "--json", "--since", "2026-11-26"))).isEmpty();
    }

    @Test
    void badFiltersSayWhatIsWrong() {
        CliRun status = run("cases", "--status", "open");
        assertThat(status.status()).isEqualTo(1);
        assertThat(status.err()).contains("unknown case status 'open'").contains("collected");
        CliRun since = run("cases", "--since", "yesterday");
        assertThat(since.status()).isEqualTo(1);
        assertThat(since.err()).contains("--since must be an ISO-8601 time");
        // issue 11, finding 7: these printed a raw SQL error, or an exception's name
        for (String far : List.of("-999999999-01-01", "+999999999-12-31", "1969-12-31", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z")) {
            CliRun r = run("cases", "--since", far);
            assertThat(r.status()).as(far).isEqualTo(1);
            assertThat(r.err()).as(far).contains("--since must lie between 1970-01-01 and 9999-12-31 (Asia/Shanghai), not '" + far + "'")
                    .doesNotContain("SQL", "Exception");
        }
        assertThat(run("cases", "--json", "--since", "1970-01-01").status()).isZero();
    }

    @Test
    void tableShowsChineseNames() {
        CliRun r = run("cases");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("GW-210211-20261125-000001").contains("0406 道路积水").contains("甘井子区 凌水街道 凌海社区居委会")
                .contains("橙色").contains("甘井子区市政设施管理处").contains("3 cases");
    }
}
