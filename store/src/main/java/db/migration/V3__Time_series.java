package db.migration;

import io.gridwatch.store.TimeSeriesMode;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The time-series tables ({@code reading}, {@code detection}, {@code alert}).
 *
 * <p>Production runs TimescaleDB, bare machines plain PostgreSQL, and both must answer the same
 * queries. So the tables have the same columns and keys in both modes and only their storage
 * differs: TimescaleDB hypertables where the extension is installed on the server, otherwise
 * tables range-partitioned by calendar month (UTC) with a DEFAULT partition that catches rows
 * outside the prepared months. The choice is made once, here; {@code Database.mode()} reads it back
 * from the catalog. {@code gw_ensure_partitions(regclass, timestamptz, timestamptz)} exists in both
 * modes (a no-op under TimescaleDB, which makes its chunks itself) so that callers never branch.
 */
public class V3__Time_series extends BaseJavaMigration {

    /** One time-series table: its columns (without the time column), its time column and key. */
    record SeriesTable(String name, String timeColumn, String columns, String primaryKey,
                       String chunkInterval, List<String> indexes, String comment) {
    }

    private static final List<SeriesTable> TABLES = List.of(
            new SeriesTable("reading", "ts", """
                    sensor_id   text NOT NULL,
                    metric      text NOT NULL,
                    value       double precision NOT NULL,
                    seq         bigint,
                    received_at timestamptz NOT NULL DEFAULT now()
                    """,
                    "sensor_id, metric, ts",
                    // ~10^5 sensors at one reading a minute: a day is already a large chunk
                    "1 day",
                    List.of("CREATE INDEX reading_ts_idx ON reading (ts DESC)"),
                    "Sensor readings (传感器读数), one row per metric; the key makes redelivery idempotent."),
            new SeriesTable("detection", "ts", """
                    detection_id  text NOT NULL,
                    source_type   text NOT NULL CHECK (source_type IN ('camera', 'sensor', 'report')),
                    source_id     text NOT NULL,
                    category_kind text CHECK (category_kind IN ('component', 'event')),
                    category_code text CHECK (category_code ~ '^[0-9]{4,5}$'),
                    grid_code     char(15) CHECK (grid_code ~ '^[0-9]{15}$'),
                    score         real,
                    payload       jsonb NOT NULL
                    """,
                    // the time column is in the key only because partitioning requires it
                    "detection_id, ts",
                    "7 days",
                    List.of("CREATE INDEX detection_ts_idx ON detection (ts DESC)",
                            "CREATE INDEX detection_grid_idx ON detection (grid_code, ts DESC)",
                            "CREATE INDEX detection_source_idx ON detection (source_id, ts DESC)"),
                    "Detections (发现): single observations of a possible problem, before merging into cases."),
            new SeriesTable("alert", "at", """
                    alert_id      text NOT NULL,
                    team          text NOT NULL,
                    state         text NOT NULL CHECK (state IN ('raised', 'escalated', 'cleared')),
                    severity      text,
                    case_id       text,
                    grid_code     char(15) CHECK (grid_code ~ '^[0-9]{15}$'),
                    district_code char(6) CHECK (district_code ~ '^[0-9]{6}$'),
                    payload       jsonb NOT NULL
                    """,
                    "alert_id, at",
                    "30 days",
                    List.of("CREATE INDEX alert_at_idx ON alert (at DESC)",
                            "CREATE INDEX alert_case_idx ON alert (case_id, at)",
                            "CREATE INDEX alert_team_idx ON alert (team, district_code, at DESC)"),
                    // no foreign key to gw_case: district flood-watch alerts have no case, and alert and
                    // case sinks write independently
                    "Alerts (预警) sent to the flood and snow teams, as in CONTRACTS.md §5."));

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        TimeSeriesMode mode = timescaleAvailable(connection) ? TimeSeriesMode.TIMESCALE : TimeSeriesMode.PARTITIONED;
        try (Statement st = connection.createStatement()) {
            if (mode == TimeSeriesMode.TIMESCALE) {
                enableTimescale(st);
            }
            for (SeriesTable t : TABLES) {
                create(st, mode, t);
            }
            if (mode == TimeSeriesMode.TIMESCALE) {
                st.execute(ENSURE_PARTITIONS_NOOP);
            } else {
                st.execute(ENSURE_PARTITIONS);
                // months ahead, so that live data never lands in DEFAULT; writers extend this window
                for (SeriesTable t : TABLES) {
                    st.execute("SELECT gw_ensure_partitions('" + t.name() + "', "
                            + "now() - INTERVAL '1 month', now() + INTERVAL '2 months')");
                }
            }
            st.execute("COMMENT ON FUNCTION gw_ensure_partitions(regclass, timestamptz, timestamptz) IS '"
                    + "Creates the missing monthly (UTC) partitions of a partitioned time-series table for every month "
                    + "that [from_ts, to_ts] touches, moving rows of those months out of its DEFAULT partition; "
                    + "returns how many it created. A no-op returning 0 under TimescaleDB.'");
        }
    }

    /** Creates {@code t} as a hypertable or as a table partitioned by month with a DEFAULT partition (no months yet). */
    static void create(Statement st, TimeSeriesMode mode, SeriesTable t) throws SQLException {
        String partitioning = mode == TimeSeriesMode.PARTITIONED ? " PARTITION BY RANGE (" + t.timeColumn() + ")" : "";
        st.execute("CREATE TABLE " + t.name() + " (\n"
                + "    " + t.timeColumn() + " timestamptz NOT NULL,\n"
                + t.columns()
                + "    , CONSTRAINT " + t.name() + "_pkey PRIMARY KEY (" + t.primaryKey() + ")\n"
                + ")" + partitioning);
        if (mode == TimeSeriesMode.TIMESCALE) {
            // our own indexes below are the same in both modes, so Timescale must not add its own
            st.execute("SELECT create_hypertable('" + t.name() + "', '" + t.timeColumn() + "', "
                    + "chunk_time_interval => INTERVAL '" + t.chunkInterval() + "', "
                    + "create_default_indexes => false)");
        } else {
            st.execute("CREATE TABLE " + t.name() + "_default PARTITION OF " + t.name() + " DEFAULT");
        }
        for (String index : t.indexes()) {
            st.execute(index);
        }
        st.execute("COMMENT ON TABLE " + t.name() + " IS '" + t.comment().replace("'", "''") + "'");
    }

    private static boolean timescaleAvailable(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void enableTimescale(Statement st) {
        try {
            st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
        } catch (SQLException e) {
            // Falling back to partitioned tables here would silently give production the wrong storage.
            throw new IllegalStateException("TimescaleDB is installed on this PostgreSQL server but could not be enabled: "
                    + e.getMessage() + ". Add timescaledb to shared_preload_libraries and restart the server, "
                    + "or remove the package to use plain partitioned tables.", e);
        }
    }

    private static final String ENSURE_PARTITIONS_NOOP = """
            CREATE FUNCTION gw_ensure_partitions(tbl regclass, from_ts timestamptz, to_ts timestamptz)
            RETURNS integer LANGUAGE sql STABLE AS $$ SELECT 0 $$
            """;

    /*
     * A partition is built beside the table, filled with the rows of its month that already sit in
     * DEFAULT (late data, or a far past import), then attached. Creating it directly as PARTITION OF
     * would fail as soon as DEFAULT holds such a row.
     */
    private static final String ENSURE_PARTITIONS = """
            CREATE FUNCTION gw_ensure_partitions(tbl regclass, from_ts timestamptz, to_ts timestamptz)
            RETURNS integer LANGUAGE plpgsql AS $$
            DECLARE
                schema_name text;
                table_name  text;
                key_column  text;
                default_oid oid;
                month_start timestamptz;
                month_end   timestamptz;
                part_name   text;
                created     integer := 0;
            BEGIN
                IF from_ts IS NULL OR to_ts IS NULL OR from_ts > to_ts THEN
                    RAISE EXCEPTION 'gw_ensure_partitions(%): invalid range [%, %]', tbl, from_ts, to_ts;
                END IF;
                SELECT n.nspname, c.relname, a.attname, p.partdefid
                  INTO schema_name, table_name, key_column, default_oid
                  FROM pg_partitioned_table p
                  JOIN pg_class c ON c.oid = p.partrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
                 WHERE p.partrelid = tbl AND p.partstrat = 'r' AND p.partnatts = 1;
                IF NOT FOUND THEN
                    RAISE EXCEPTION '% is not a table range-partitioned on one column', tbl;
                END IF;
                -- two writers preparing the same month must not race on CREATE TABLE
                PERFORM pg_advisory_xact_lock(tbl::oid::bigint);
                month_start := date_trunc('month', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
                WHILE month_start <= to_ts LOOP
                    month_end := ((month_start AT TIME ZONE 'UTC') + INTERVAL '1 month') AT TIME ZONE 'UTC';
                    part_name := table_name || '_p' || to_char(month_start AT TIME ZONE 'UTC', 'YYYYMM');
                    IF to_regclass(format('%I.%I', schema_name, part_name)) IS NULL THEN
                        EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                                       schema_name, part_name, tbl);
                        IF default_oid IS NOT NULL AND default_oid <> 0 THEN
                            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *) '
                                           'INSERT INTO %I.%I SELECT * FROM moved',
                                           default_oid::regclass, key_column, month_start, key_column, month_end,
                                           schema_name, part_name);
                        END IF;
                        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                                       tbl, schema_name, part_name, month_start, month_end);
                        created := created + 1;
                    END IF;
                    month_start := month_end;
                END LOOP;
                RETURN created;
            END
            $$
            """;
}
